import './env';
import { runHttpCheck } from './http-check';
console.log(await runHttpCheck('/work/main', { users: Number(process.env.U ?? 100), concurrency: 16 }, (l) => console.error(l)));
