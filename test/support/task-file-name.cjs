// A task's state file and logs folder name as the README's "What it writes" gives it, from the task
// path relative to the project: `<slug>-<first 8 hex of sha256(path)>`, the slug being the file name
// without `.md` as letters, digits and single "-", cut to 200 characters (`task` when none is left).
// CommonJS, so that the fake claude (plain node) and the TypeScript test helpers share one copy;
// node:crypto is loaded only when a name is asked for (the fake claude starts some 400 times).
const path = require('node:path');

function taskFileName(taskPath) {
  const slug =
    path
      .basename(taskPath)
      .replace(/\.md$/i, '')
      .replace(/[^a-zA-Z0-9-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 200)
      .replace(/-$/, '') || 'task';
  return `${slug}-${require('node:crypto').createHash('sha256').update(taskPath.normalize('NFC')).digest('hex').slice(0, 8)}`;
}

module.exports = { taskFileName };
