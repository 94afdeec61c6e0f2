// What a cell has seen, and when (suites/lib/sightings.ts): a resource the
// cell saw before a moment existed before it, and so did one created strictly
// before a resource seen then; one created at the same instant or later, and
// never seen, may be new.
import { describe, expect, it } from 'vitest';
import type { CheckContext } from '../../harness/run/context.ts';
import { RESOURCES } from '../../specs/resources.ts';
import { existedBefore, listWeather, listWeatherOf, mark, sighted } from '../../suites/lib/sightings.ts';

const spec = RESOURCES.environmentTemplate;
const at = (name: string, iso: string) => ({
  name,
  arn: `arn:aws:proton:us-east-1:123456789012:environment-template/${name}`,
  createdAt: new Date(iso),
});

function fakeCell(): CheckContext & { steps: string[] } {
  const steps: string[] = [];
  return { steps, step: (text: string) => steps.push(text) } as unknown as CheckContext & { steps: string[] };
}

describe('sightings', () => {
  it('call old what was seen before the mark, or created strictly before something seen then', () => {
    const ctx = fakeCell();
    const earlier = at('a', '2026-12-07T00:00:01.000Z');
    sighted(ctx, spec, [earlier], [at('other-cells', '2026-12-07T00:00:05.000Z')]);
    const since = mark(ctx, spec);
    // Seen before the mark.
    expect(existedBefore(ctx, spec, earlier, since)).toBe(true);
    // Never seen, created before a resource seen then (another cell's).
    expect(existedBefore(ctx, spec, at('b', '2026-12-07T00:00:04.999Z'), since)).toBe(true);
    // Created at the same instant (a coarse clock) or later: may be new.
    expect(existedBefore(ctx, spec, at('c', '2026-12-07T00:00:05.000Z'), since)).toBe(false);
    expect(existedBefore(ctx, spec, at('d', '2026-12-07T00:00:06.000Z'), since)).toBe(false);
    // Seen only after the mark: not evidence of being there before it.
    const later = at('e', '2026-12-07T00:00:07.000Z');
    sighted(ctx, spec, [later]);
    expect(existedBefore(ctx, spec, later, since)).toBe(false);
    // A resource re-created under a seen name is another one (its creation time differs).
    expect(existedBefore(ctx, spec, at('a', '2026-12-07T00:00:09.000Z'), since)).toBe(false);
  });

  it('keep each cell and each kind apart', () => {
    const one = fakeCell();
    const two = fakeCell();
    sighted(one, spec, [at('a', '2026-12-07T00:00:05.000Z')]);
    const since = mark(two, spec);
    expect(existedBefore(two, spec, at('b', '2026-12-07T00:00:01.000Z'), since)).toBe(false);
    expect(existedBefore(one, RESOURCES.serviceTemplate, at('b', '2026-12-07T00:00:01.000Z'), mark(one, RESOURCES.serviceTemplate))).toBe(
      false,
    );
  });

  it('count List weather per cell, with a line in its steps', () => {
    const ctx = fakeCell();
    listWeather(ctx, 'ListEnvironmentTemplates lacked name=a, which Get shows');
    expect(listWeatherOf(ctx)).toHaveLength(1);
    expect(ctx.steps).toEqual(['list weather: ListEnvironmentTemplates lacked name=a, which Get shows']);
    expect(listWeatherOf(fakeCell())).toHaveLength(0);
  });
});
