/**
 * The dependency path with the most process time (ties: the most steps), from the steps' `run_after` edges: its
 * process time and its length in steps. For a chain it is the whole chain; for a grid, one step per layer.
 */
export function criticalPath(
  spec: { steps: Record<string, unknown>[] },
  own: (step: string) => number,
): { processMs: number; steps: number } {
  const best = new Map<string, { processMs: number; steps: number }>();
  const steps = spec.steps as { name: string; run_after?: string[] }[];
  const visit = (name: string): { processMs: number; steps: number } => {
    const known = best.get(name);
    if (known) return known;
    const step = steps.find((s) => s.name === name)!;
    let before = { processMs: 0, steps: 0 };
    for (const p of step.run_after ?? []) {
      const candidate = visit(p);
      if (
        candidate.processMs > before.processMs ||
        (candidate.processMs === before.processMs && candidate.steps > before.steps)
      )
        before = candidate;
    }
    const result = { processMs: before.processMs + own(name), steps: before.steps + 1 };
    best.set(name, result);
    return result;
  };
  let out = { processMs: 0, steps: 0 };
  for (const s of steps) {
    const r = visit(s.name);
    if (r.processMs > out.processMs || (r.processMs === out.processMs && r.steps > out.steps)) out = r;
  }
  return out;
}
