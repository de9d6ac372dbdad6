import type { SagaDefinition, SagaStep } from './definition';

/** The index after the group that starts at `index`: consecutive steps sharing its `group` (index + 1 without one). */
export function groupEnd<C>(steps: readonly SagaStep<C>[], index: number): number {
  const group = steps[index]?.group;
  let end = index + 1;
  if (group === undefined) return end;
  while (end < steps.length && steps[end]!.group === group) end++;
  return end;
}

/**
 * Why the definition's groups cannot run, or undefined. A group's steps are consecutive (a name used again further
 * on would be two groups under one name), and each is an activity call that is not the pivot: the pivot must pass
 * on its own, and an in-workflow step (a wait for a human) has no place beside calls running at once.
 */
export function groupProblem<C>(definition: SagaDefinition<C>): string | undefined {
  const { steps } = definition;
  const seen = new Set<string>();
  for (let index = 0; index < steps.length;) {
    const end = groupEnd(steps, index);
    const group = steps[index]!.group;
    if (group !== undefined) {
      if (seen.has(group)) return `group ${group} is not one run of consecutive steps`;
      seen.add(group);
      for (const step of steps.slice(index, end)) {
        if (step.pivot) return `group ${group}: the pivot ${step.name} cannot run beside other steps`;
        if ('local' in step.action) return `group ${group}: ${step.name} runs in the workflow, not as an activity`;
      }
    }
    index = end;
  }
  return undefined;
}
