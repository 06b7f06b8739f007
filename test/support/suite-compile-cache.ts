/** The CLI's code cache folder for this run of the suite (test/compile-cache-setup.mjs), never the user's own. */
export const SUITE_COMPILE_CACHE = process.env.CLAUDE_PROJECT_TEST_COMPILE_CACHE ?? 'off';
