// e2e_points.mjs - the points of issue 16 that the other scripts do not walk through, each at 1366 px and at
// 390 px (a phone: isMobile, touch): the to-do home of every role, /my with search and filter, review with the
// evidence, confirmations and success messages, nothing typed lost (a refused form shown again with what was
// typed), the structured scope and the workload rules in the scheme form with the workload preview, the credit
// grade a rule proposes and the leader confirms, 回访, the public history of an item, Chinese labels instead of
// codes, and the batch of 检查通知书. Runs last on run.sh's server (after e2e_closure.mjs): it reads the demo
// county and the task, record and follow-up the other scripts made. Screenshots points-*.png.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { base, shots, check, step, launch, finish, login, watchErrors } from './harness.mjs';

const browser = await launch();
const WIDTHS = [1366, 390];
const consoleErrors = [], dialogs = [];
let dismissNext = false; // the next confirm() is answered "cancel"

function watch(page, who) {
  page.on('dialog', d => {
    dialogs.push(d.message());
    if (dismissNext) { dismissNext = false; d.dismiss(); } else d.accept();
  });
  watchErrors(page, who, consoleErrors);
}

// One account in two browsers: a desktop (1366 px) and a phone (390 px) sharing the session.
async function as(user) {
  const desk = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const d = await desk.newPage();
  watch(d, `${user}@1366`);
  if (user) await login(d, user);
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
                                           storageState: await desk.storageState() });
  const p = await phone.newPage();
  watch(p, `${user}@390`);
  return { 1366: d, 390: p };
}

// The page at url at both widths: it answers, nothing pushes the page sideways (the known width, not
// innerWidth, which a mobile browser widens to its content), then fn(page, width) checks its content.
async function both(pages, url, name, fn) {
  for (const w of WIDTHS) {
    const p = pages[w];
    await step(`${name} @${w}`, async () => {
      const res = await p.goto(base + url);
      check(`${name} @${w}: page answers`, res.status() < 400, `${res.status()} ${url}`);
      const sw = await p.evaluate(() => document.documentElement.scrollWidth);
      check(`${name} @${w}: no sideways scrolling`, sw <= w + 1, String(sw));
      if (fn) await fn(p, w);
      await p.screenshot({ path: join(shots, `points-${name.replace(/[^a-z0-9]+/gi, '-')}-${w}.png`), fullPage: false });
    });
  }
}

// The first element matching sel is shown, with its whole width on the screen.
async function onScreen(p, sel, w) {
  const l = p.locator(sel).first();
  if (!(await l.count())) return false;
  await l.scrollIntoViewIfNeeded();
  const b = await l.boundingBox();
  return !!b && b.width > 0 && b.height > 0 && b.x >= -1 && b.x + b.width <= w + 1;
}
// Clicks what submits a form (a selector or a locator) and waits for the page the answer brings.
async function submit(p, what) {
  const el = typeof what === 'string' ? p.locator(what).first() : what;
  await Promise.all([p.waitForNavigation(), el.click()]);
}
const flash = async p => (await p.locator('.flash').allTextContents()).join(' ');
const lastDialog = () => dialogs[dialogs.length - 1] || '';

const staff = await as('staff'), leader = await as('leader'), officer = await as('officer'), admin = await as('admin');
const auditor = await as('supervisor');
const visitor = await as(null);
// the record e2e_record.mjs filled (photo, video, signature) and e2e_closure.mjs published
const ridFile = join(process.env.TMPDIR || '/tmp', 'e2e-record-id');
const rid = existsSync(ridFile) ? readFileSync(ridFile, 'utf8').trim() : '';

// ---- to-do home: every item a link to where it is done; the same list as /api/v1/todo ----
for (const [user, pages, some] of [['staff', staff, true], ['leader', leader, true], ['officer', officer, true], ['admin', admin, false],
                                   ['supervisor', auditor, false]]) {
  await both(pages, '/', `home-todo-${user}`, async (p, w) => {
    check(`${user} @${w}: the to-do list is on the screen`, await onScreen(p, '#todo', w));
    const api = await (await p.request.get(base + '/api/v1/todo')).json();
    const shown = await p.locator('#todo li.todo').count();
    check(`${user} @${w}: the home lists the items of /api/v1/todo`, shown === api.todo.length && (!some || shown > 0),
          `${shown} vs ${api.todo.length}`);
    if (shown) {
      check(`${user} @${w}: the first item's link is on the screen`, await onScreen(p, '#todo li.todo a', w));
      const href = await p.getAttribute('#todo li.todo a >> nth=0', 'href');
      check(`${user} @${w}: ... and opens its page`, (await p.request.get(base + href)).status() === 200, href);
    } else check(`${user} @${w}: says there is nothing to do`, await p.isVisible('#todo-empty'));
  });
}
await both(leader, '/', 'home-todo-leader-review', async (p, w) => {
  const t = await p.textContent('#todo');
  check(`leader @${w}: records awaiting review and schemes awaiting approval`, t.includes('待审核') && t.includes('待审批'), t);
});

// ---- /my on a phone: search, filter by state, each card opens its record form ----
let cardName = '';
await both(officer, '/my?state=' + encodeURIComponent('待录入'), 'my-filter', async (p, w) => {
  const cards = p.locator('section.my-group');
  const n = await cards.count();
  const states = await p.locator('section.my-group h2 .badge').allTextContents();
  check(`/my @${w}: filtered by 待录入`, n > 0 && states.length === n && states.every(s => s === '待录入'), states.join(','));
  check(`/my @${w}: the filter is on the screen and says how many`, await onScreen(p, '#my-filter', w)
        && /显示 \d+ \/ 共 \d+ 个/.test(await p.textContent('#my-count')));
  check(`/my @${w}: each card links to its record form`, await p.locator('section.my-group a[href^="/my/records/"]').count() === n);
  check(`/my @${w}: the link is on the screen`, await onScreen(p, 'section.my-group a[href^="/my/records/"]', w));
  cardName = (await p.locator('section.my-group h2').first().textContent()).replace('待录入', '').trim();
});
await both(officer, '/my?q=' + encodeURIComponent(cardName), 'my-search', async (p, w) => {
  const names = await p.locator('section.my-group h2').allTextContents();
  check(`/my @${w}: the search finds the target by name`, names.length >= 1 && names.every(t => t.includes(cardName)), `${cardName}: ${names.join('|')}`);
  await p.locator('section.my-group a[href^="/my/records/"]').first().click();
  await p.waitForURL(/\/my\/records\/\d+$/);
  check(`/my @${w}: the card opened the record form`, (await p.textContent('h1')).includes(cardName));
});

// ---- review with the evidence: thumbnails that open full size, the video player, the signature ----
if (rid) {
  await both(leader, `/review/${rid}`, 'review-evidence', async (p, w) => {
    const img = '#record-files a.evidence img';
    await p.locator(img).first().scrollIntoViewIfNeeded();
    await p.waitForFunction(s => { const i = document.querySelector(s); return i && i.complete; }, img);
    check(`review @${w}: the photo is shown as a thumbnail on the screen`, await onScreen(p, img, w)
          && await p.evaluate(s => document.querySelector(s).naturalWidth > 0, img));
    const href = await p.getAttribute('#record-files a.evidence >> nth=0', 'href');
    const full = await p.request.get(base + href);
    check(`review @${w}: the thumbnail opens the file full size`, full.status() === 200 && full.headers()['content-type'].startsWith('image/'), href);
    check(`review @${w}: a video player`, await onScreen(p, '#record-files video[controls]', w));
    const kinds = await p.locator('#record-files tbody tr td:first-child').allTextContents();
    check(`review @${w}: photo, video and signature by their Chinese names`, ['照片', '视频', '签字'].every(k => kinds.some(x => x.includes(k))), kinds.join(','));
    const sig = p.locator('#record-files tbody tr', { hasText: '签字' }).locator('img');
    await sig.scrollIntoViewIfNeeded();
    await p.waitForFunction(() => [...document.querySelectorAll('#record-files img')].every(i => i.complete));
    check(`review @${w}: the signature image shown`, await sig.count() === 1 && await sig.evaluate(i => i.naturalWidth > 0));
    check(`review @${w}: the items and findings`, await p.isVisible('#record-items') && (await p.textContent('#record-violations')).includes('38(4)'));
  });
} else check('review with evidence: the record of e2e_record.mjs', false, 'no e2e-record-id');

// ---- what cannot be undone asks once, with a summary, and says afterwards that it was done ----
await step('publish a result: confirm, then a success message (390 px)', async () => {
  const p = staff[390];
  await p.goto(base + '/results');
  const href = await p.getAttribute('#pending a[href^="/results/"] >> nth=0', 'href');
  await p.goto(base + href);
  check('publish @390: the button is on the screen', await onScreen(p, '#btn-publish', 390));
  await p.click('#btn-publish');
  await p.waitForURL(/ok=/);
  check('publish @390: asked once, saying what becomes public', lastDialog().includes('公开门户') && lastDialog().includes('不能撤回'), lastDialog());
  check('publish @390: success message', (await flash(p)).includes('已公示'), await flash(p));
});
// the demo's open follow-ups: a penalty (its target has a proposed grade) with a transfer still open
const followups = (await (await staff[1366].request.get(base + '/api/v1/followups')).json()).followups;
const blocked = followups.find(f => !f.closed && f.close_blockers.length && f.transfers.length) || {};
// a published penalty whose target's proposal waits for the leader (the leader's to-do names it: the
// demo and the scripts before this one publish several penalties, some on targets already re-graded)
const waiting = new Set(((await (await leader[1366].request.get(base + '/api/v1/todo')).json()).todo || [])
  .filter(e => e.kind === 'credit.confirm' && !e.many).map(e => Number(e.href.split('/').pop())));
const penalties = followups.filter(f => f.option === 'penalty' && f.penalty_published_on);
const proposedFor = (penalties.find(f => waiting.has(Number(f.target_id))) || penalties[0] || {}).target_id;
await both(leader, `/credit/${proposedFor}`, 'credit-proposal', async (p, w) => {
  check(`credit @${w}: the rule's proposal with its reason`, await onScreen(p, '#proposal', w)
        && (await p.textContent('#proposal-reasons')).includes('行政处罚'));
  check(`credit @${w}: the leader's confirm form on the screen`, await onScreen(p, '#confirm-form button[type=submit]', w));
});
await step('leader confirms the proposed grade with a reason (390 px)', async () => {
  const p = leader[390];
  await p.goto(base + `/credit/${proposedFor}`);
  const proposed = (await p.textContent('#proposal h2 .badge')).trim();
  await submit(p, '#confirm-form button[type=submit]');   // without a reason: refused, shown again
  check('credit confirm without a reason is refused with a message, the form shown again',
        (await p.textContent('#proposal .form-errors')).includes('理由') && await p.isVisible('#confirm-form'));
  await p.fill('#c-reason', '行政处罚已作出，按规则确认');
  await submit(p, '#confirm-form button[type=submit]');
  check('credit confirm: asked once', lastDialog().includes('确定确认'), lastDialog());
  check('credit confirm: the grade changed and the proposal is gone', (await p.textContent('#grade')).trim() === proposed
        && !(await p.isVisible('#proposal')), proposed);
  check('credit confirm: a success message and the reason in the credit record', (await flash(p)).length > 0
        && (await p.textContent('#events')).includes('行政处罚已作出，按规则确认'), await flash(p));
});
await step('change a grade by hand: confirm, reason, success (1366 px)', async () => {
  const p = staff[1366];
  await p.goto(base + `/credit/${proposedFor}`);
  await p.selectOption('#g-grade', 'C');
  await p.fill('#g-reason', '整改到位，复查合格');
  await p.fill('#g-basis', '复查记录');
  await submit(p, '#grade-form button[type=submit]');
  check('grade change: asked once', lastDialog().includes('确定调整'), lastDialog());
  check('grade change: new grade and a success message', (await p.textContent('#grade')).trim() === 'C' && (await flash(p)).length > 0, await flash(p));
});
await both(staff, `/followups/${blocked.id}`, 'followup-close-refused', async (p, w) => {
  await submit(p, '#btn-close');
  check(`close refused @${w}: asked first`, lastDialog().includes('确定完结'), lastDialog());
  check(`close refused @${w}: the page again, with why, on the screen`, await onScreen(p, '#close-error', w)
        && (await p.textContent('#close-error')).includes('移送') && await p.isVisible('#edit-form'), await p.textContent('main'));
});
if (rid) {
  await step('close the follow-up e2e_closure.mjs opened: confirm, then a success message (390 px)', async () => {
    const p = staff[390], mine = followups.find(f => String(f.record_id) === rid);
    await p.goto(base + `/followups/${mine.id}`);
    await p.fill('#f-outcome', '已作出行政处罚，罚没款已缴纳');
    await p.click('#edit-form button[type=submit]');
    await p.waitForURL(/ok=saved/);
    await p.click('#btn-close');
    await p.waitForURL(/ok=status/);
    check('close: asked once', lastDialog().includes('确定完结'), lastDialog());
    check('close: 已完结 and a success message', (await p.textContent('#status')).includes('已完结') && (await flash(p)).length > 0, await flash(p));
  });
}

// ---- 回访 after publication: a refused form keeps what was typed; then the visit is listed ----
const published = await (async () => { await staff[1366].goto(base + '/results'); return (await staff[1366].getAttribute('#published a[href^="/public/results/"] >> nth=0', 'href')).replace('/public', ''); })();
await both(staff, published, 'revisit', async (p, w) => {
  check(`revisit @${w}: the form on the screen`, await onScreen(p, '#revisit-form', w) && await onScreen(p, '#rv-summary', w));
});
await step('register a 回访 on a phone', async () => {
  const p = staff[390];
  await p.goto(base + published);
  await p.fill('#rv-summary', '电话回访负责人，对检查无异议');
  await submit(p, '#revisit-form button[type=submit]');   // no day, no way: refused
  check('revisit refused: the typed summary is still there, with the message', await p.inputValue('#rv-summary') === '电话回访负责人，对检查无异议'
        && await p.isVisible('#revisits .form-errors'));
  await p.fill('#rv-day', process.env.SPOTCHECK_TODAY || new Date().toISOString().slice(0, 10));
  await p.selectOption('#rv-method', { index: 1 });
  await p.selectOption('#rv-conduct', { index: 1 });
  await submit(p, '#revisit-form button[type=submit]');
  check('revisit listed', (await p.textContent('#revisit-list')).includes('电话回访负责人，对检查无异议'));
});

// ---- the public history of the item list: a changed ratio is shown on the portal ----
await step('staff change an item\'s ratio', async () => {
  const p = staff[1366];
  await p.goto(base + '/d/items/2/edit');
  await p.fill('#f-ratio', '5%');
  await p.click('button:has-text("保存")');
  await p.waitForURL(/ok=saved/);
});
await both(visitor, '/public/items/2', 'public-item-history', async (p, w) => {
  const rows = await p.locator('#item-changes tbody tr').allTextContents();
  check(`public item @${w}: the change 3% → 5% listed`, rows.some(r => r.includes('抽查比例') && r.includes('5%')), rows.join('|'));
  check(`public item @${w}: the history on the screen`, await onScreen(p, '#item-changes', w));
  check(`public item @${w}: no name of who changed it`, !(await p.textContent('main')).includes('王科员'));
});
await both(visitor, '/public/items', 'public-items-link', async (p, w) => {
  check(`public items @${w}: each item links to its history`, await onScreen(p, 'a[href="/public/items/2"]', w));
});

// ---- an ad-hoc task whose scope is only words: the scheme gives it a structured scope and the workload rules ----
const adhocName = '投诉举报涉及的医药机构专项检查';
await both(staff, '/plans/adhoc', 'adhoc-form', async (p, w) => {
  check(`ad-hoc request @${w}: the form on the screen`, await onScreen(p, '#a-name', w) && await onScreen(p, 'form[action="/plans/adhoc"] button[type=submit]', w));
});
let tid = '';
await step('an ad-hoc task: request on a phone (a refused form keeps what was typed), approval, start without a type', async () => {
  const p = staff[390];
  await p.goto(base + '/plans/adhoc');
  await p.fill('#a-name', adhocName);
  await p.selectOption('#a-source', '投诉举报');
  await p.fill('#a-reason', '群众投诉反映多家机构串换药品');
  await p.locator('form[action="/plans/adhoc"] input[name=items]').first().check();
  await p.fill('#a-scope', '辖区内有投诉记录的医药机构');
  await submit(p, 'form[action="/plans/adhoc"] button[type=submit]');   // no period: refused
  check('ad-hoc refused: the message beside the field, everything typed still there', await p.isVisible('.field.has-error #a-period')
        && await p.inputValue('#a-name') === adhocName && await p.inputValue('#a-reason') === '群众投诉反映多家机构串换药品'
        && await p.locator('form[action="/plans/adhoc"] input[name=items]').first().isChecked());
  await p.fill('#a-period', '2026年7月');
  await submit(p, 'form[action="/plans/adhoc"] button[type=submit]');
  check('ad-hoc request waits for the leader', (await p.textContent('#adhoc-list')).includes(adhocName));
  const l = leader[1366];
  await l.goto(base + '/plans/adhoc');
  await submit(l, l.locator('#adhoc-list tr', { hasText: adhocName }).locator('button[value=approve]'));
  const d = staff[1366];
  await d.goto(base + '/tasks');
  const form = d.locator('form[action="/tasks/start"]', { hasText: adhocName });
  await form.locator('select[name=scope_kind]').selectOption('');
  await form.locator('input[name=lead_dept]').fill('基金监管股');
  await form.locator('button[type=submit]').click();
  await d.waitForURL(/\/tasks\/\d+\?ok=created/);
  tid = d.url().split('?')[0].split('/').pop();
});
await both(staff, `/tasks/${tid}`, 'scheme-scope', async (p, w) => {
  check(`scheme @${w}: the scope to choose, on the screen`, await onScreen(p, '#scheme-scope', w)
        && (await p.textContent('#scheme-scope')).includes('辖区内有投诉记录的医药机构'));
  check(`scheme @${w}: 参保人 not ticked`, !(await p.isChecked('#scope-kinds input[value=insured]')));
  for (const f of ['#s-wcap', '#s-ycap', '#s-months'])
    check(`scheme @${w}: workload rule ${f} on the screen`, await onScreen(p, f, w));
});
await step('scheme on a phone: unsaved text kept, a refused save keeps what was typed, the scope saved', async () => {
  const p = staff[390];
  await p.goto(base + `/tasks/${tid}`);
  await p.fill('#s-purpose', '核查投诉反映的串换药品问题');
  dismissNext = true;                                   // 提交审批 with unsaved changes: asked, and cancelled
  await p.click('#btn-scheme-submit');
  check('submit with unsaved changes: warned first', lastDialog().includes('未保存'), lastDialog());
  check('... cancelled: the typed text stays', p.url().endsWith(`/tasks/${tid}`) && await p.inputValue('#s-purpose') === '核查投诉反映的串换药品问题');
  await p.check('#scope-kinds input[value=institution]');
  await p.fill('#s-wcap', '3');
  await p.fill('#s-months', '6');
  await p.fill('#s-scope-region', '13x');
  await submit(p, '#btn-scheme-save');                    // not a region code: refused by the server
  check('refused save: the message, and the form as typed', (await p.textContent('#scheme-errors')).includes('行政区划')
        && await p.inputValue('#s-purpose') === '核查投诉反映的串换药品问题' && await p.isChecked('#scope-kinds input[value=institution]')
        && await p.inputValue('#s-wcap') === '3', await p.textContent('main'));
  check('refused save: the message on the screen', await onScreen(p, '#scheme-errors', 390));
  await p.fill('#s-period', '2026年7月1日至7月31日');
  await p.fill('#s-method', '实地检查');
  await p.fill('#s-scope-region', '130528');
  await p.click('#btn-scheme-save');
  await p.waitForURL(/ok=saved/);
  check('saved: the scope as a filter', (await p.textContent('main')).includes('定点医疗机构') && await p.isChecked('#scope-kinds input[value=institution]'));
});
await both(staff, `/tasks/${tid}?preview=1`, 'workload-preview', async (p, w) => {
  check(`workload preview @${w}: on the screen`, await onScreen(p, '#workload-preview', w));
  const t = await p.textContent('#workload-preview');
  check(`workload preview @${w}: groups per officer and the cap of 3`, /\d/.test(await p.textContent('#per-officer')) && t.includes('上限 3 组'), t);
});

// ---- words: codes shown by their Chinese labels, names instead of login ids, local times ----
const devWords = /\b(photo|video|signature|penalty|rectify|institution|pharmacy|employer|insured)\b(?!\.[a-z0-9]+)|\b(plan|task|record|result|followup|credit|notice|user|transfer|import|export|refdata)\.[a-z_]+\b|（请选择）抽查|\d{4}-\d\d-\d\dT\d\d:/;
const wordPages = [[staff, '/'], [staff, '/followups'], [staff, `/followups/${blocked.id}`], [staff, '/records'], [staff, '/results'],
                   [staff, '/tasks'], [staff, `/tasks/${tid}`], [staff, '/dashboard'], [leader, '/review'], [officer, '/my']];
if (rid) wordPages.push([leader, `/review/${rid}`]);
for (const [pages, url] of wordPages) {
  await both(pages, url, `words${url.replace(/\d+/g, 'N')}`, async (p, w) => {
    const t = await p.innerText('main');
    const m = t.match(devWords);
    check(`${url} @${w}: no codes or developer words`, !m, m && t.slice(Math.max(0, m.index - 60), m.index + 40));
  });
}
await both(auditor, '/audit', 'words-audit', async (p, w) => {
  const cells = await p.locator('#audit-table tbody tr td:nth-child(4)').allTextContents();
  const actors = await p.locator('#audit-table tbody tr td:nth-child(3)').allTextContents();
  check(`audit @${w}: every action by its Chinese name first`, cells.length > 0 && cells.every(c => /^\s*[\u4e00-\u9fff]/.test(c)), cells.find(c => !/^\s*[\u4e00-\u9fff]/.test(c)));
  check(`audit @${w}: every person by name first`, actors.every(c => /^\s*([\u4e00-\u9fff]|$)/.test(c)), actors.find(c => !/^\s*[\u4e00-\u9fff]/.test(c)));
});

// ---- the year's figures: no chart label cut off at the chart's edge ----
await both(staff, '/figures', 'figures-labels', async (p, w) => {
  const cut = await p.evaluate(() => [...document.querySelectorAll('svg text')].filter(t => {
    const s = t.ownerSVGElement.getBoundingClientRect(), r = t.getBoundingClientRect();
    return r.left < s.left - 1 || r.right > s.right + 1; }).map(t => t.textContent));
  check(`figures @${w}: every chart label inside its chart`, cut.length === 0 && await p.locator('svg text').count() > 0, cut.join(' | '));
});

// ---- documents: all the notices of a task on one page to print ----
const drawnTask = await (async () => {
  const p = staff[1366];
  await p.goto(base + '/tasks');
  const href = await p.locator('a[href^="/tasks/"]', { hasText: '2025年邢台市医疗保障局定点医疗机构随机抽查工作方案' }).first().getAttribute('href').catch(() => null);
  return href ? href.split('/').pop() : '1'; // the demo's drawn task when run alone
})();
await step('issue the rest of the task\'s notices at once: asked once, then said', async () => {
  const p = staff[1366];
  await p.goto(base + `/tasks/${drawnTask}/notices`);
  await submit(p, '#issue-all-form button[type=submit]');
  check('issue all: asked once with the number', /将为尚未出具的 \d+ 个检查对象出具/.test(lastDialog()), lastDialog());
  check('issue all: none left, and a success message', (await p.textContent('#notices-summary')).includes('尚未出具 0 份') && (await flash(p)).length > 0,
        await p.textContent('#notices-summary'));
});
await both(staff, `/tasks/${drawnTask}/notices`, 'notices-batch', async (p, w) => {
  const n = await p.locator('#notices .notice-doc').count();
  check(`notices @${w}: the notices on one page to print`, n >= 1 && (await p.textContent('#notices-summary')).includes('尚未出具 0 份'), String(n));
  const nos = await p.locator('#notices .notice-doc .doc-no').allTextContents();
  check(`notices @${w}: each with its own 文号`, nos.length === n && nos.every(t => /〔\d{4}〕\d+号/.test(t)) && new Set(nos).size === n, nos.slice(0, 3).join(' '));
  const text = await p.evaluate(() => { const d = document.querySelector('#notices .notice-doc'), cs = getComputedStyle(d);
    return d.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight); });
  check(`notices @${w}: the text has room (at least 300 px)`, text >= 300, String(text));
  check(`notices @${w}: the notice and the print button on the screen`, await onScreen(p, '#notices .notice-doc', w) && await onScreen(p, '#btn-print', w));
});

// ---- 递补 on a phone: a name nobody has is refused with what was typed kept; a member's name is accepted ----
await step('递补 by name on a phone', async () => {
  const p = staff[390];
  await p.goto(base + `/tasks/${drawnTask}/draw`);
  check('递补 @390: the form on the screen', await onScreen(p, '#substitute-form', 390));
  const row = p.locator('#groups tbody tr').first();
  const code = (await row.locator('td:nth-child(2) .mono').textContent()).trim();
  const member = (await row.locator('td:nth-child(4)').textContent()).trim().split('（')[0].replace(/^组长|^组员/, '').trim();
  await p.selectOption('#sub-target', code);
  await p.fill('#sub-officer', '查无此人');
  await p.selectOption('#sub-code', { index: 1 });
  await p.fill('#sub-reason', '冻结后得知与负责人系同学');
  await submit(p, '#btn-substitute');
  check('递补 refused: asked first, then the message with the form as typed', lastDialog().includes('递补') && await p.inputValue('#sub-officer') === '查无此人'
        && await p.inputValue('#sub-reason') === '冻结后得知与负责人系同学' && (await flash(p) + await p.textContent('main')).includes('查无此人'),
        await flash(p));
  await p.selectOption('#sub-target', code);
  await p.fill('#sub-officer', member);
  await p.selectOption('#sub-code', { index: 1 });
  await p.fill('#sub-reason', '冻结后得知与负责人系同学');
  await p.click('#btn-substitute');
  await p.waitForURL(/ok=saved/);
  check('递补 by the member\'s name: waits for the leader', (await p.textContent('#substitution-requests')).includes('待审批') && (await flash(p)).length > 0, member);
});

check('no JavaScript or CSP errors in the console', consoleErrors.length === 0, consoleErrors.join(' | '));
await finish(browser);
