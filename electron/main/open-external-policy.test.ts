import { describe, expect, it } from 'vitest';
import { vetExternalUrl } from './open-external-policy';

describe('vetExternalUrl', () => {
  it.each(['https://business.facebook.com/adsmanager', 'https://ads.google.com/aw/overview?ocid=1#x'])(
    'accepts plain https link %s',
    (url) => {
      expect(vetExternalUrl(url)?.href).toBe(new URL(url).href);
    },
  );

  it.each([
    'http://ads.google.com/',
    'file:///etc/passwd',
    'smb://server/share',
    'ms-msdt:/id PCWDiagnostic',
    'javascript:alert(1)',
    'https://user:pass@ads.google.com/',
    'https://192.168.1.1/',
    'https://[::1]/',
    'https://localhost/',
    'https://printer.local/',
    'https://intranet/',
    'https://ads.google.com:8443/',
    `https://ads.google.com/${'a'.repeat(3000)}`,
    'not a url',
  ])('refuses %s', (url) => {
    expect(vetExternalUrl(url)).toBeNull();
  });
});
