// Tags as resources keep them (a map) and as the API carries them (a list).
import type { Tag } from '@aws-sdk/client-proton';

export type Tags = Map<string, string>;

export function tagsOf(list: readonly Tag[] | undefined): Tags {
  const tags: Tags = new Map();
  for (const tag of list ?? []) tags.set(tag.key!, tag.value!);
  return tags;
}

export function tagList(tags: Tags): { key: string; value: string }[] {
  return [...tags].map(([key, value]) => ({ key, value }));
}
