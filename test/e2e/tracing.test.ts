// Tracing end to end: a publish through the API (continuing the caller's traceparent) and one
// through the typed client (inside the caller's active span) become one trace each, from the
// publish span through the delivery workflow to each attempt's POST, exported over OTLP (HTTP,
// JSON) to an in-process receiver; the receiver of the webhook gets the POST span's traceparent.
import { context, trace } from '@opentelemetry/api';
import { randomBytes } from 'node:crypto';
import { publishEvent } from '../../src/temporal/client';
import { startTracing, type Tracing } from '../../src/tracing';
import { createTenant, ensureEventType } from '../support/api';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';

describe('tracing', () => {
  let otlp: OtlpReceiver;
  let tracing: Tracing;
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  let tenantId: string;
  let endpointId: string;

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    tracing = startTracing({ otlpEndpoint: otlp.endpoint, serviceName: 'hookrelay-test' })!;
    [hookrelay, receiver] = await Promise.all([
      startTestHookrelay({ HOOKRELAY_TRACEPARENT_TO_RECEIVERS: 'true' }, { tracing }),
      startReceiver(),
    ]);
    await ensureEventType(hookrelay, 'invoice.activated');
    tenantId = await createTenant(hookrelay);
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'receiver', url: receiver.url, eventTypes: ['invoice.activated'], enabled: true },
    });
    expect(res.status).toBe(201);
    endpointId = res.body.id;
  }, 120_000);
  afterAll(async () => {
    await hookrelay?.close();
    await receiver?.close();
    await tracing?.shutdown();
    await otlp?.close();
  });

  /** Every span of the trace, once the attempt's POST span has arrived. */
  async function traceOf(traceId: string): Promise<ReceivedSpan[]> {
    return waitFor(
      async () => {
        await tracing.flush();
        const spans = otlp.spans.filter((span) => span.traceId === traceId);
        return spans.some((span) => span.name === 'POST') && spans.some((span) => span.name === 'RunWorkflow:deliveryWorkflowV2')
          ? spans
          : undefined;
      },
      { timeoutMs: 30_000, what: `the spans of trace ${traceId}` },
    );
  }

  function expectOneTraceToTheReceiver(spans: ReceivedSpan[], eventId: string, traceId: string): void {
    const names = spans.map((span) => span.name);
    expect(names).toEqual(
      expect.arrayContaining(['hookrelay.publish', 'StartWorkflow:deliveryWorkflowV2', 'RunWorkflow:deliveryWorkflowV2', 'POST']),
    );
    const post = spans.find((span) => span.name === 'POST')!;
    expect(post.attributes).toMatchObject({
      'hookrelay.tenant.id': tenantId,
      'hookrelay.endpoint.id': endpointId,
      'hookrelay.event.type': 'invoice.activated',
      'hookrelay.event.id': eventId,
      'hookrelay.attempt.number': 1,
      'http.response.status_code': 200,
      'http.request.method': 'POST',
    });
    // Each span's parent is in the trace, up to the publish span: one tree, not loose pieces.
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const publish = spans.find((span) => span.name === 'hookrelay.publish')!;
    const chain: string[] = [];
    let at: ReceivedSpan | undefined = post;
    while (at && at !== publish) {
      chain.push(at.name);
      at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined;
    }
    expect(at).toBe(publish);
    expect(chain).toContain('RunWorkflow:deliveryWorkflowV2');
    expect(chain).toContain('RunActivity:attemptDelivery');
    expect(publish.attributes).toMatchObject({ 'hookrelay.tenant.id': tenantId, 'hookrelay.event.type': 'invoice.activated' });
    // The receiver got the POST span's context.
    const request = receiver.requests.find((r) => r.headers['webhook-id'] === eventId)!;
    expect(request.headers.traceparent).toBe(`00-${traceId}-${post.spanId}-01`);
  }

  it('continues the traceparent of an API caller through the delivery workflow to the POST', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, {
      body: { type: 'invoice.activated', data: { invoice: 1 } },
      headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
    });
    expect(res.status).toBe(202);
    await receiver.waitForRequests(1);
    const spans = await traceOf(traceId);
    const publish = spans.find((span) => span.name === 'hookrelay.publish')!;
    expect(publish.parentSpanId).toBe(callerSpanId);
    expect(publish.attributes).toMatchObject({
      'hookrelay.publish.via': 'http',
      'hookrelay.event.id': res.body.id,
      'hookrelay.delivery_count': 1,
    });
    expect(publish.serviceName).toBe('hookrelay-test');
    expectOneTraceToTheReceiver(spans, res.body.id, traceId);
  });

  it('continues the active span of a typed-client caller', async () => {
    const before = receiver.requests.length;
    const caller = trace.getTracer('caller').startSpan('billing.activate-invoice');
    const result = await context.with(trace.setSpan(context.active(), caller), () =>
      publishEvent(hookrelay.temporal, { tenantId, type: 'invoice.activated', data: { invoice: 2 } }, { taskQueue: hookrelay.taskQueue }),
    );
    caller.end();
    await receiver.waitForRequests(before + 1);
    const traceId = caller.spanContext().traceId;
    const spans = await traceOf(traceId);
    const publish = spans.find((span) => span.name === 'hookrelay.publish')!;
    expect(publish.parentSpanId).toBe(caller.spanContext().spanId);
    expect(publish.attributes).toMatchObject({ 'hookrelay.publish.via': 'client', 'hookrelay.event.id': result.eventId });
    expect(spans.map((span) => span.name)).toContain('RunWorkflow:publishEventWorkflow');
    expectOneTraceToTheReceiver(spans, result.eventId, traceId);
  });
});
