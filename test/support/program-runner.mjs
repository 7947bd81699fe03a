// The tests' program runner (test/support/programs.ts): a bare `node` that starts the outside
// programs a test asks for (oathtool, zbarimg) and answers with what they printed. Run as a child
// of a test worker over IPC; it exits when the worker does.
import { execFile } from 'node:child_process';

process.on('message', ({ id, file, args, input }) => {
  const child = execFile(file, args, { encoding: 'utf8', maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
    const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
    process.send({ id, code, stdout, stderr: error && code === -1 ? String(error.message) : stderr });
  });
  // a program that reads no input (zbarimg) may be gone before its stdin is closed: that is no error
  child.stdin.on('error', () => {});
  child.stdin.end(input);
});
process.on('disconnect', () => process.exit(0));
