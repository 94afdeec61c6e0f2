// Tags of a resource, found by the ARN the target gave it: listed (with
// paging), added, removed; and the tags of a resource that is gone.
import type { ParitySequence } from '../types.ts';
import { type CorpusContext, SequenceBuilder } from './builder.ts';

function lifecycle(ctx: CorpusContext): ParitySequence {
  const b = new SequenceBuilder('tags/lifecycle');
  const name = ctx.names.name('tagged');
  const tags = [
    { key: 'x-parity-a', value: 'first' },
    { key: 'x-parity-b', value: 'second' },
  ];
  const created = b.step('CreateEnvironmentTemplate', { name, tags }, 'valid');
  b.made('environmentTemplate', 'DeleteEnvironmentTemplate', { name });
  const arn = { resourceArn: { step: created, path: 'environmentTemplate.arn' } };
  b.step('ListTagsForResource', {}, 'valid', { from: arn });
  const more = [
    { key: 'x-parity-c', value: 'third' },
    { key: 'x-parity-d', value: `${ctx.random.below(1000)}` },
  ];
  b.step('TagResource', { tags: more }, 'valid', { from: arn });
  const first = b.step('ListTagsForResource', { maxResults: 3 }, 'paging', { from: arn });
  b.step('ListTagsForResource', { maxResults: 3 }, 'paging', { from: { ...arn, nextToken: { step: first, path: 'nextToken' } } });
  b.step('UntagResource', { tagKeys: ['x-parity-a', 'x-parity-c'] }, 'valid', { from: arn });
  b.step('ListTagsForResource', {}, 'valid', { from: arn });
  return b.build();
}

function missing(ctx: CorpusContext): ParitySequence {
  const b = new SequenceBuilder('tags/missing');
  const name = ctx.names.name('untagged');
  const created = b.step('CreateEnvironmentTemplate', { name }, 'valid');
  b.made('environmentTemplate', 'DeleteEnvironmentTemplate', { name });
  b.step('DeleteEnvironmentTemplate', { name }, 'valid');
  const arn = { resourceArn: { step: created, path: 'environmentTemplate.arn' } };
  b.step('ListTagsForResource', {}, 'missing resource: deleted', { from: arn });
  b.step('TagResource', { tags: [{ key: 'x-parity', value: 'late' }] }, 'missing resource: deleted', { from: arn });
  b.step('UntagResource', { tagKeys: ['x-parity'] }, 'missing resource: deleted', { from: arn });
  return b.build();
}

export function tagSequences(ctx: CorpusContext): ParitySequence[] {
  return [lifecycle(ctx), missing(ctx)];
}
