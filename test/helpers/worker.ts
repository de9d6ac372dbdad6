import { Worker } from '@temporalio/worker';
import type { WorkerOptions, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleConverterPaths, dataConverterFor } from '../../lib/codec/data-converter';
import { preloadedWorkflowModules } from '../../lib/workflow-bundle';
import { testPayloadKeys } from './payload-keys';
import { bundleOnce as bundleWorkflowsOnce } from '@sagaflow/saga/testing';

/** What the tests' clients and replays encrypt and decode payloads with (the same keys as the environments'). */
export const testDataConverter = () => dataConverterFor(testPayloadKeys());

/** What every test worker runs with, as a production worker: the test keys, plaintext payloads refused. */
export const testWorkerDataConverter = () => dataConverterFor(testPayloadKeys(), 'refuse');

/** The workflow bundle of `workflowsPath` with the test keys' converter, built once per test process (the kit's). */
export function bundleOnce(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowsOnce(workflowsPath, {
    ...bundleConverterPaths(testPayloadKeys()),
    preloadModules: preloadedWorkflowModules(workflowsPath),
  });
}

/** The worker's workflow bundle, built once per test process (webpack is the slow part of a worker start). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundleOnce(require.resolve('../../workflows'));
}

/** The worker's workflows plus the test-only variants in test/workflows. */
export function testWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundleOnce(require.resolve('../workflows'));
}

/** A worker on the test environment's connection, serving the project's workflows. */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  options: Pick<WorkerOptions, 'taskQueue' | 'activities'> & Partial<WorkerOptions>,
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    workflowBundle: await workflowBundle(),
    dataConverter: testWorkerDataConverter(),
    ...options,
  });
}
