/**
 * dynalite (in memory) in a process of its own, so that its CPU work does not share the event
 * loop of the handlers being measured (as DynamoDB does not share a Lambda's CPU). Prints
 * {endpoint, tableNames} as one JSON line; stops when its stdin closes.
 */
import './env';
import { startLocalDynamo } from '@twofold/local/dynamodb-local';

const dynamo = await startLocalDynamo({ tablePrefix: 'bench' });
process.stdout.write(`${JSON.stringify({ endpoint: dynamo.endpoint, tableNames: dynamo.tableNames })}\n`);
process.stdin.on('end', () => void dynamo.stop().then(() => process.exit(0)));
process.stdin.resume();
