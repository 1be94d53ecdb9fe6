import { loadConfig } from '../../../src/config/load-config';
import { isLoopbackHost, openListenWarning } from '../../../src/operations/open-listen-warning';

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1'])(
    '%s stays on this machine',
    (host) => expect(isLoopbackHost(host)).toBe(true),
  );

  it.each(['0.0.0.0', '::', '10.0.0.5', '192.168.1.20', 'example.com', '128.0.0.1', '::ffff:10.0.0.1'])(
    '%s reaches beyond it',
    (host) => expect(isLoopbackHost(host)).toBe(false),
  );
});

describe('openListenWarning', () => {
  it('says nothing on loopback, whatever the auth', () => {
    expect(openListenWarning(loadConfig({ VECGATE_AUTH: 'off' }), false)).toBeUndefined();
  });

  it('says nothing beyond loopback once auth is on', () => {
    expect(openListenWarning(loadConfig({ HOST: '0.0.0.0' }), true)).toBeUndefined();
  });

  it('names the address, the reason and the ways out when anyone may call it', () => {
    const auto = openListenWarning(loadConfig({ HOST: '0.0.0.0', PORT: '9000' }), false);
    expect(auto).toContain('0.0.0.0:9000');
    expect(auto).toContain('no API key exists yet');
    expect(auto).toContain('HOST=127.0.0.1');
    expect(openListenWarning(loadConfig({ HOST: '::', VECGATE_AUTH: 'off' }), false)).toContain('VECGATE_AUTH=off');
  });
});
