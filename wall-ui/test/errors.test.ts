// The hub's refusals and the video path's troubles, as the wall says them: by error code, in
// the operator's language; the hub's own sentence for a code the wall does not know.
import { describe, expect, it } from 'vitest';
import { translate, type Locale, type MessageKey } from '../src/wall/i18n';
import { errorText } from '../src/wall/i18n/errors';

const tr = (locale: Locale) => (key: MessageKey, vars?: Record<string, string | number>) => translate(locale, key, vars);

describe('errorText', () => {
  it('says a tile’s video trouble in the wall’s language, not as a code', () => {
    for (const code of ['HUB_ERR_STREAM_STALLED', 'HUB_ERR_UNIT_OFFLINE', 'HUB_ERR_PEER_FAILED', 'HUB_ERR_STREAM_START_TIMEOUT']) {
      const en = errorText(tr('en'), { code, message: 'english detail' });
      const zh = errorText(tr('zh-CN'), { code, message: 'english detail' });
      expect(en).not.toContain('HUB_ERR');
      expect(en).not.toBe('english detail');
      expect(zh).toMatch(/[\u4e00-\u9fff]/);
      expect(zh).not.toBe(en);
    }
    expect(errorText(tr('en'), { code: 'HUB_ERR_UNIT_OFFLINE', message: '' })).toBe('The unit is offline: its camera cannot be started.');
  });

  it('keeps the hub’s sentence for a code it does not know, and names a network failure', () => {
    expect(errorText(tr('en'), { code: 'HUB_ERR_SOMETHING_NEW', message: 'the hub explains' })).toBe('the hub explains');
    expect(errorText(tr('en'), new TypeError('Failed to fetch'))).toBe('The hub cannot be reached. Check the network and try again.');
  });
});
