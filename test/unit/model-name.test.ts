import { canonicalModel } from '../../src/usage/model-name.js';

describe('canonicalModel', () => {
  it.each([
    ['claude-sonnet-4-5', 'claude-sonnet-4-5'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-sonnet-4-5[1m]', 'claude-sonnet-4-5'],
    ['claude-sonnet-4-5-20250929[1m]', 'claude-sonnet-4-5'],
    ['claude-sonnet-4-5@20250929', 'claude-sonnet-4-5'],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5'],
    ['anthropic/claude-haiku-4-5', 'claude-haiku-4-5'],
    ['Claude-Opus-4-1 ', 'claude-opus-4-1'],
    ['claude-3-5-sonnet-latest', 'claude-3-5-sonnet'],
    ['claude-haiku-5-5', 'claude-haiku-5-5'],
  ])('%s is %s', (raw, canonical) => {
    expect(canonicalModel(raw)).toBe(canonical);
  });

  it('keeps a name it does not recognise as it is (lower-cased)', () => {
    expect(canonicalModel('<synthetic>')).toBe('<synthetic>');
    expect(canonicalModel('sonnet')).toBe('sonnet');
  });
});
