/** A step of the message pipeline: does its part, then calls `next` (at most once) to go on. */
export type Step<Context> = (ctx: Context, next: () => Promise<void>) => Promise<void>;

/** Chains named steps into one; a step that does not call `next` ends the message there. */
export function compose<Context>(steps: Step<Context>[]): (ctx: Context) => Promise<void> {
  return (ctx) => {
    const dispatch = async (position: number): Promise<void> => {
      const step = steps[position];
      if (!step) return;
      let called = false;
      await step(ctx, () => {
        if (called) throw new Error(`step ${step.name || position} called next() twice`);
        called = true;
        return dispatch(position + 1);
      });
    };
    return dispatch(0);
  };
}
