// Where outputs cut text short, they cut it one way (format/truncate.ts): the cut is marked "…".
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminClient } from '../../src/billing/admin-api/client.js';
import { truncate } from '../../src/format/truncate.js';

test('truncate: the cut is marked; with markInside the mark counts within the limit', () => {
  expect(truncate('abcdef', 6)).toBe('abcdef');
  expect(truncate('abcdef', 4)).toBe('abcd…');
  expect(truncate('abcdef', 4, { markInside: true })).toBe('abc…');
  expect(truncate('abcdef', 1, { markInside: true })).toBe('…');
  expect(truncate('abcdef', 0, { markInside: true })).toBe('');
  expect(truncate('abcdef', 2, { sayHowMuch: true })).toBe('ab… [4 more characters]');
});

test('a refusal from the Admin API whose body is not JSON shows its start, the cut marked', async () => {
  const body = `<html>${'x'.repeat(300)}</html>`;
  const server = createServer((_req, res) => {
    res.writeHead(400, { 'content-type': 'text/html' });
    res.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new AdminClient({ baseUrl: url, adminKey: 'sk-ant-admin01-test', sleep: async () => undefined });
    await expect(client.get('/v1/organizations/api_keys', {})).rejects.toThrow(
      `the Admin API rejected /v1/organizations/api_keys (HTTP 400): ${body.slice(0, 200)}…`,
    );
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
