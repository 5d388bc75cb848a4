import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostCheck, hostName } from '../../src/serve/host_check.ts';

test('Host header values: names and IP literals, ports and trailing dots dropped, malformed ones refused', () => {
  assert.equal(hostName('Example.COM:8080'), 'example.com');
  assert.equal(hostName('localhost.'), 'localhost');
  assert.equal(hostName('127.0.0.1:80'), '127.0.0.1');
  assert.equal(hostName('[::1]:8080'), '::1');
  for (const bad of ['', 'a b', '[::zz]', '[127.0.0.1]', 'x:y', 'host:123456', 'evil.example/path', '.']) assert.equal(hostName(bad), undefined, bad);
});

test('by default: IP literals, localhost and *.localhost; names only when allowed; "any" turns it off', () => {
  const check = new HostCheck(['Demo.Example', '.corp.example']);
  check.allow('bound.example');
  for (const ok of ['127.0.0.1:8080', '10.1.2.3', '[::1]', 'localhost:3000', 'app.localhost', 'demo.example', 'bound.example:1', 'corp.example', 'a.b.corp.example', undefined]) assert.equal(check.verdict(ok), 'ok', String(ok));
  for (const refused of ['evil.example', 'localhost.evil.example', 'demo.example.evil', 'xcorp.example', '127.0.0.1.nip.io']) assert.equal(check.verdict(refused), 'refused', refused);
  assert.equal(check.verdict('a b'), 'malformed');
  assert.equal(new HostCheck('any').verdict('evil.example'), 'ok');
});
