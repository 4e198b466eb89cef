// Helpers for portal tests: make a portal session through the API, and open its one-time link
// the way the portal page does (the token is the link's fragment).
import type { TestHookrelay } from './stack';

export interface OpenedPortalSession {
  id: string;
  url: string;
  linkToken: string;
  sessionToken: string;
}

export async function createPortalSession(
  hookrelay: TestHookrelay,
  tenantId: string,
  options: Record<string, unknown> = {},
  key?: string,
): Promise<{ id: string; url: string; linkToken: string }> {
  const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/portal-sessions`, { body: options, key });
  if (res.status !== 201) throw new Error(`portal session not created: ${res.status} ${JSON.stringify(res.body)}`);
  const url = res.body.url as string;
  return { id: res.body.id as string, url, linkToken: new URL(url).hash.slice(1) };
}

export async function exchangeLink(hookrelay: TestHookrelay, sessionId: string, linkToken: string) {
  return hookrelay.request('POST', `/portal/${sessionId}/exchange`, { key: null, body: { linkToken } });
}

export async function openPortalSession(
  hookrelay: TestHookrelay,
  tenantId: string,
  options: Record<string, unknown> = {},
): Promise<OpenedPortalSession> {
  const created = await createPortalSession(hookrelay, tenantId, options);
  const exchanged = await exchangeLink(hookrelay, created.id, created.linkToken);
  if (exchanged.status !== 200) throw new Error(`link not exchanged: ${exchanged.status}`);
  return { ...created, sessionToken: exchanged.body.sessionToken as string };
}
