import { Client, Connection } from '@temporalio/client';
import { TASK_QUEUES } from '../lib/task-queues';
import { helloWorkflow } from '../workflows/hello';

// Starts one hello workflow on the running stack and prints its result: `npm run hello -- NAME`.
async function main(): Promise<void> {
  const name = process.argv[2] ?? 'world';
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const workflowId = `hello-${Date.now()}`;
  const result = await client.workflow.execute(helloWorkflow, {
    taskQueue: TASK_QUEUES.orders,
    workflowId,
    args: [{ name }],
  });
  console.log(JSON.stringify({ workflowId, ...result }));
  console.log(`see it in the Web UI: http://127.0.0.1:8233/namespaces/default/workflows/${workflowId}`);
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
