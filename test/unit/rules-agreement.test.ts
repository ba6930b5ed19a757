// The index-entry-versus-config platform check when os.version and os.features agree, or are set
// only in the config (issue 16): agreement must pass. Without these cases a check that failed
// every Windows image with an os.version, or every image whose config lists os.features, passed
// the test suite (the entry's own values are what a runtime selects by).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Platform } from '../../src/oci/types.js';
import { checkPlatformAgreement } from '../../src/verify/rules.js';

const cases: Array<[string, Platform, Platform, boolean]> = [
  ['the same os.version on both', { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1' }, { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1' }, true],
  ['the same os.features on both', { os: 'windows', architecture: 'amd64', 'os.features': ['win32k'] }, { os: 'windows', architecture: 'amd64', 'os.features': ['win32k'] }, true],
  ['os.features only in the config', { os: 'windows', architecture: 'amd64' }, { os: 'windows', architecture: 'amd64', 'os.features': ['win32k'] }, true],
  ['os.version on the entry, none in the config', { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1' }, { os: 'windows', architecture: 'amd64' }, false],
  ['os.features in another order: the same set', { os: 'windows', architecture: 'amd64', 'os.features': ['a', 'b'] }, { os: 'windows', architecture: 'amd64', 'os.features': ['b', 'a'] }, true],
];
for (const [name, entry, config, ok] of cases) {
  for (const side of ['registry', 'local'] as const) {
    test(`checkPlatformAgreement (${side}): ${name} → ${ok ? 'agree' : 'differ'}`, () => {
      const check = checkPlatformAgreement(side, entry, config);
      assert.equal(check.rule, 'platform');
      assert.equal(check.ok, ok, check.message);
    });
  }
}
