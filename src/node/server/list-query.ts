// The list query schema of the resource routes: `limit`/`cursor`/`sort`
// (keyset pagination itself is services/page.ts) and the page response.
export type { PageQuery } from '../services/page.js';

export const pageQuerySchema = {
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  cursor: { type: 'string', maxLength: 300 },
  sort: { type: 'string', maxLength: 40 },
} as const;

export function pageResponse(item: object) {
  return {
    type: 'object',
    properties: { items: { type: 'array', items: item }, next: { type: 'string' } },
    required: ['items'],
  } as const;
}
