import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { marked } from 'marked';
import type { SagaState } from '@sagaflow/saga';
import { renderDetails as orderDetails } from '../../workflows/order/publish';
import { renderDetails as returnDetails } from '../../workflows/returns/publish';
import { mdCode, mdText } from '../../workflows/shared/markdown';
import type { OrderContext } from '../../workflows/order/types';
import type { ReturnContext } from '../../workflows/returns/types';

// Issue 25, item 12: the Web UI renders a saga's current details as Markdown, and a client's cancel reason (or
// customer id) went in raw: a link, an image or a heading in front of operators.

const decode = (html: string) =>
  html
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

const hostile =
  '[click here](https://evil.example/login) ![x](https://evil.example/t.png) <b>urgent</b> **refund now**';

const state = (overrides: Partial<SagaState>): SagaState =>
  ({
    saga: 'order-fulfillment',
    status: 'CANCELLED',
    completedSteps: [],
    compensations: [],
    recoveries: [],
    parked: [],
    startedAt: 0,
    updatedAt: 0,
    ...overrides,
  }) as SagaState;

function tokens(markdown: string): string[] {
  const types: string[] = [];
  marked.walkTokens(marked.lexer(markdown), (token) => void types.push(token.type));
  return types;
}

describe("a saga's current details (Markdown in the Web UI)", () => {
  it('any text reaches the reader as itself: no markup, on one line', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        const html = marked.parseInline(mdText(text)) as string;
        assert.equal(decode(html), text.replace(/\s+/g, ' '));
        const clean = text.replace(/\s+/g, ' ').trim();
        const code = marked.parseInline(mdCode(text)) as string;
        assert.equal(clean ? decode(code.replace(/^<code>|<\/code>$/g, '')) : code, clean || '—');
      }),
      { seed: 25, numRuns: 500 },
    );
  });

  it("a customer's cancel reason and id are text, never a link, an image, HTML or emphasis", () => {
    const order = orderDetails(
      { input: { orderId: 'ord_1', customerId: `c\`${hostile}` } } as unknown as OrderContext,
      state({ cancellation: { reason: hostile, at: 0 } }),
    );
    const returned = returnDetails(
      {
        input: { returnId: 'ret_1', orderId: 'ord_1', items: [{ sku: 'SKU-1', quantity: 1 }] },
      } as unknown as ReturnContext,
      state({ cancellation: { reason: hostile, at: 0 } }),
    );
    for (const markdown of [order, returned]) {
      const found = tokens(markdown);
      for (const type of ['link', 'image', 'html', 'heading'])
        assert.ok(!found.includes(type), `${type} in ${markdown}`);
      assert.ok(decode(marked.parse(markdown) as string).includes(hostile), markdown);
    }
  });
});
