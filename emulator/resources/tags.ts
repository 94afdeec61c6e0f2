// TagResource, UntagResource, ListTagsForResource: tags of any resource of
// the caller's account, found by ARN.
import type { ListTagsForResourceInput, TagResourceInput, UntagResourceInput } from '@aws-sdk/client-proton';
import { parseArn } from '../arn.ts';
import type { Handler, RequestContext, Valid } from '../context.ts';
import { paginate } from '../pagination.ts';
import { notFound, validation } from '../protocol.ts';
import { live } from './lifecycle.ts';
import { tagList, tagsOf, type Tags } from './tag-list.ts';
import { versionKey, type TemplateRecord } from './templates.ts';

/** Proton's limit of tags on one resource. */
const MAX_TAGS = 50;

const TEMPLATE_RESOURCE = /^([^:]+)(?::(\d+)\.(\d+))?$/;

function templateTags(table: Map<string, TemplateRecord>, resource: string): Tags | undefined {
  const match = TEMPLATE_RESOURCE.exec(resource);
  if (match === null) return undefined;
  const template = table.get(match[1]!);
  if (match[2] === undefined) return template?.tags;
  return template?.versions.get(versionKey(match[2], match[3]!))?.tags;
}

function tagsOfArn(ctx: RequestContext, arn: string): Tags {
  const parsed = parseArn(arn);
  let tags: Tags | undefined;
  if (parsed !== undefined && parsed.account === ctx.account.id) {
    const { account, now } = ctx;
    switch (parsed.type) {
      case 'environment-template':
        tags = templateTags(account.environmentTemplates, parsed.resource);
        break;
      case 'service-template':
        tags = templateTags(account.serviceTemplates, parsed.resource);
        break;
      case 'environment':
        tags = live(account.environments, parsed.resource, now)?.tags;
        break;
      case 'service':
        tags = live(account.services, parsed.resource, now)?.tags;
        break;
      case 'environment-account-connection': {
        const connection = ctx.world.connections.get(parsed.resource);
        tags = connection?.environmentAccountId === account.id ? connection.tags : undefined;
        break;
      }
    }
  }
  if (tags === undefined) throw notFound(`The resource '${arn}' was not found`);
  return tags;
}

const listTags: Handler = (ctx, params) => {
  const input = params as Valid<ListTagsForResourceInput>;
  const page = paginate(tagList(tagsOfArn(ctx, input.resourceArn)), input, (tag) => tag.key, ctx.policy.paging('ListTagsForResource'));
  return { tags: page.items, nextToken: page.nextToken };
};

const tagResource: Handler = (ctx, params) => {
  const input = params as Valid<TagResourceInput>;
  const tags = tagsOfArn(ctx, input.resourceArn);
  const added = tagsOf(input.tags);
  const total = new Set([...tags.keys(), ...added.keys()]).size;
  if (total > MAX_TAGS) throw validation(`A resource can have at most ${MAX_TAGS} tags; this request would leave ${total}`);
  for (const [key, value] of added) tags.set(key, value);
  return {};
};

const untagResource: Handler = (ctx, params) => {
  const input = params as Valid<UntagResourceInput>;
  const tags = tagsOfArn(ctx, input.resourceArn);
  for (const key of input.tagKeys) tags.delete(key);
  return {};
};

export const tagOperations: Record<string, Handler> = {
  ListTagsForResource: listTags,
  TagResource: tagResource,
  UntagResource: untagResource,
};
