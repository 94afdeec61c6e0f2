// --reproducers over the whole fault catalogue (issue 21; slow tier), shard 1 of 2: every other fault of the
// catalogue, so that vitest runs the two shards in parallel. The body is test/support/reproducers-catalogue.ts.
import { describeCatalogueShard } from '../support/reproducers-catalogue.ts';

describeCatalogueShard(1, 2);
