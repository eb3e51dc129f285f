import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { createApp, type AppOverrides, type AppServices } from './app.ts';
import { loadConfig } from './config.ts';
import { AppError } from './errors.ts';
import { parseEvalFile } from './eval/eval-file.ts';
import { publicResult } from './assistant/assistant.ts';
import { renderCitations } from './assistant/grounding.ts';
import type { AssistantResult, InboundMessage } from './assistant/types.ts';
import { calibrateThreshold, evaluateAssistant } from './eval/assistant-eval.ts';
import { evaluateRetrieval } from './eval/retrieval-eval.ts';
import { ticketFor } from './handoff/desk.ts';
import { Accounts } from './http/auth.ts';
import { STATUS_LABELS } from './handoff/messages.ts';
import { TICKET_STATUSES, type TicketStatus } from './handoff/ticket.ts';
import { createLogger } from './logger.ts';
import { mask, maskDeep } from './privacy.ts';
import type { SearchMode } from './retrieval/knowledge-index.ts';

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return number;
}

async function services(overrides: AppOverrides = {}): Promise<AppServices> {
  const config = loadConfig(undefined, { LOG_LEVEL: 'warn' });
  // stdout carries the command's result; logs go to stderr.
  const logger = createLogger({ level: config.logLevel, destination: 2 });
  return createApp(config, logger, overrides);
}

const program = new Command()
  .name('rongzhi')
  .description('RongZhi (融治): knowledge base, search and evaluation from the command line')
  .showHelpAfterError();

program
  .command('ingest')
  .description('index the knowledge directory (only added, changed and removed files are processed)')
  .option('--dir <path>', 'knowledge directory (default: KNOWLEDGE_DIR)')
  .option('--json', 'print the summary as JSON')
  .action(async (options: { dir?: string; json?: boolean }) => {
    const app = await services();
    const bar = process.stderr.isTTY && !options.json
      ? new cliProgress.SingleBar({ format: '向量化 [{bar}] {value}/{total} 段', stream: process.stderr }, cliProgress.Presets.shades_classic)
      : undefined;
    const report = await app.knowledge.ingest({
      ...(options.dir !== undefined && { dir: options.dir }),
      onProgress: (progress) => {
        if (!bar) return;
        if (progress.done === 0) bar.start(progress.total, 0);
        else bar.update(progress.done);
      },
    });
    bar?.stop();
    if (options.json) return print(report);
    const lines = [
      `已索引 ${report.files} 个文件，共 ${report.chunks} 段，用时 ${report.seconds.toFixed(2)} 秒`,
      `新增 ${report.added.length} · 更新 ${report.changed.length} · 删除 ${report.removed.length} · 未变 ${report.unchanged} · 本次向量化 ${report.embedded} 段`,
    ];
    if (report.skipped.length) {
      lines.push(`跳过 ${report.skipped.length} 个文件：`);
      for (const file of report.skipped) lines.push(`  - ${file.source}：${file.reason}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  });

program
  .command('search')
  .description('search the knowledge index')
  .argument('<question>', 'the question, as a user would type it')
  .option('--k <n>', 'number of passages', positiveInteger, 5)
  .option('--mode <mode>', 'hybrid | lexical | vector', 'hybrid')
  .option('--tag <tag...>', 'only documents with one of these tags (e.g. a community)')
  .option('--json', 'print JSON')
  .action(async (question: string, options: { k: number; mode: string; tag?: string[]; json?: boolean }) => {
    const mode = parseMode(options.mode);
    const app = await services();
    await app.knowledge.load();
    const hits = await app.knowledge.search(question, { k: options.k, mode, filter: options.tag ? { tags: options.tag } : undefined });
    const rows = hits.map((hit) => ({
      rank: hit.rank,
      score: Number(hit.score.toFixed(6)),
      title: hit.chunk.title,
      source: hit.chunk.source,
      section: hit.chunk.section,
      text: hit.chunk.text,
    }));
    if (options.json) return print({ query: question, hits: rows });
    if (!rows.length) return void process.stdout.write('没有找到相关内容。\n');
    for (const row of rows) {
      process.stdout.write(`${row.rank}. 《${row.title}》${row.section ? ` · ${row.section}` : ''}  (${row.score})\n   ${row.text}\n`);
    }
  });

program
  .command('eval')
  .description('hit testing (召回测试) over a labelled JSONL file')
  .requiredOption('--file <path>', 'JSONL file: {"question", "expect"?, "route"?, "category"?} per line')
  .option('--json', 'print JSON')
  .action(async (options: { file: string; json?: boolean }) => {
    const lines = parseEvalFile(await readFile(options.file, 'utf8'));
    // The labelled requests would otherwise be real tickets for real workers, and drafts that change the next run.
    const app = await services({ scratch: true });
    await app.knowledge.load();
    const modes: SearchMode[] = ['hybrid', 'lexical', 'vector'];
    const results = Object.fromEntries(
      await Promise.all(modes.map(async (mode) => [mode, await evaluateRetrieval(app.knowledge, lines, mode)] as const)),
    ) as Record<SearchMode, Awaited<ReturnType<typeof evaluateRetrieval>>>;
    const assistant = await evaluateAssistant(app.assistant, lines);
    const calibration = calibrateThreshold(assistant.relevance);
    await app.close();
    if (options.json) {
      return print({
        retrieval: results.hybrid.scores,
        retrievalByMode: { hybrid: results.hybrid.scores, lexical: results.lexical.scores, vector: results.vector.scores },
        routing: assistant.routing,
        answers: assistant.answers,
        noAnswerThreshold: { configured: app.config.assistant.minRelevance, calibrated: calibration.threshold, accuracy: calibration.accuracy },
      });
    }
    const table = [
      '| 检索方式 | 题数 | recall@1 | recall@3 | recall@5 | MRR |',
      '|---|---|---|---|---|---|',
      ...modes.map((mode) => {
        const s = results[mode].scores;
        return `| ${{ hybrid: '混合', lexical: '仅关键词', vector: '仅向量' }[mode]} | ${s.n} | ${s['recall@1']} | ${s['recall@3']} | ${s['recall@5']} | ${s.mrr} |`;
      }),
    ];
    const misses = results.hybrid.misses;
    if (misses.length) {
      table.push('', `混合检索前 5 条未命中（${misses.length}）：`);
      for (const miss of misses) {
        table.push(`- 第 ${miss.line} 行「${miss.question}」${miss.firstHitRank ? `（第 ${miss.firstHitRank} 名才命中）` : '（前 10 名都未命中）'}；前三：${miss.top.join('；')}`);
      }
    }
    table.push(
      '',
      `路由准确率 ${assistant.routing.accuracy}（${assistant.routing.n} 题）· 类别准确率 ${assistant.routing.categoryAccuracy} · 答案含要点 ${assistant.answers.factHit}（${assistant.answers.n} 题）`,
      `无答案阈值：当前 ${app.config.assistant.minRelevance}，按本文件校准为 ${calibration.threshold}（区分准确率 ${calibration.accuracy}）`,
    );
    if (assistant.misses.length) {
      table.push('', `问答未达预期（${assistant.misses.length}）：`);
      for (const miss of assistant.misses) table.push(`- 第 ${miss.line} 行「${miss.question}」期望 ${miss.expected}，实际 ${miss.got}`);
    }
    process.stdout.write(`${table.join('\n')}\n`);
  });

function cliMessage(text: string, user: string, conversation: string): InboundMessage {
  return {
    id: randomUUID(),
    channel: 'cli',
    at: new Date(),
    conversation: { id: conversation, kind: 'direct' },
    sender: { id: user, name: user },
    text,
    mentionsBot: true,
  };
}

function renderReply(result: AssistantResult): string {
  return result.replies
    .map((reply) => [reply.direct ? `（私聊）${reply.text}` : reply.text, renderCitations(reply.citations ?? [])].filter(Boolean).join('\n'))
    .join('\n');
}

program
  .command('ask')
  .description('ask the assistant one question, as a user would')
  .argument('<text>', 'the message')
  .option('--user <id>', 'who is asking', 'cli-user')
  .option('--json', 'print {"route", "category", "answer", "citations", "ticket"}')
  .action(async (text: string, options: { user: string; json?: boolean }) => {
    const app = await services();
    await app.knowledge.loadOrBuild();
    const result = await app.assistant.handle(cliMessage(text, options.user, `cli:${options.user}`));
    await app.close();
    if (options.json) return print(publicResult(result));
    process.stdout.write(`${renderReply(result)}\n`);
  });

program
  .command('chat')
  .description('an interactive chat with the assistant in the terminal')
  .option('--user <id>', 'who is chatting', 'cli-user')
  .action(async (options: { user: string }) => {
    const app = await services();
    await app.knowledge.loadOrBuild();
    const terminal = createInterface({ input: process.stdin, output: process.stdout });
    process.stdout.write('小融：你好！有什么可以帮你？（输入"退出"结束）\n');
    try {
      for (;;) {
        let line: string;
        try {
          line = (await terminal.question('你：')).trim();
        } catch {
          break; // input closed
        }
        if (!line) continue;
        if (['退出', 'exit', 'quit'].includes(line)) break;
        const result = await app.assistant.handle(cliMessage(line, options.user, `cli-chat:${options.user}`));
        process.stdout.write(`小融：${renderReply(result)}\n`);
      }
    } finally {
      terminal.close();
      await app.close();
    }
  });

const tickets = program.command('tickets').description('service tickets');

tickets
  .command('list')
  .description('list tickets, newest first')
  .option('--status <status...>', 'only these statuses (new assigned accepted resolved closed reopened cancelled)')
  .option('--community <id>', 'only this community')
  .option('--assignee <id>', 'only this worker')
  .option('--as <workerId>', 'view as this worker: phone and ID numbers are shown only to the assignee and supervisors')
  .option('--json', 'print JSON')
  .action(async (options: { status?: TicketStatus[]; community?: string; assignee?: string; as?: string; json?: boolean }) => {
    const app = await services();
    const invalid = (options.status ?? []).filter((status) => !(TICKET_STATUSES as readonly string[]).includes(status));
    if (invalid.length) throw new InvalidArgumentError(`--status must be one of ${TICKET_STATUSES.join(', ')} (not ${invalid.join(', ')})`);
    const list = await app.tickets.list({
      ...(options.status && { status: options.status }),
      ...(options.community && { community: options.community }),
      ...(options.assignee && { assignee: options.assignee }),
    });
    const viewer = { workerId: options.as, roster: app.roster.roster };
    const visible = list.map((ticket) => ticketFor(ticket, viewer));
    await app.close();
    if (options.json) return print(visible);
    if (!visible.length) return void process.stdout.write('没有工单。\n');
    for (const ticket of visible) {
      process.stdout.write(`#${ticket.id}  ${STATUS_LABELS[ticket.status]}  ${app.categories.label(ticket.category)} · ${ticket.community}  负责人 ${ticket.assignee ?? '—'}  ${ticket.description.slice(0, 40)}\n`);
    }
  });

tickets
  .command('show')
  .description('one ticket with its events and notifications')
  .argument('<id>', 'ticket number, e.g. 1024 or #1024')
  .option('--as <workerId>', 'view as this worker')
  .option('--json', 'print JSON')
  .action(async (raw: string, options: { as?: string; json?: boolean }) => {
    const id = Number(raw.replace(/^[#＃]/, ''));
    if (!Number.isInteger(id) || id < 1) throw new InvalidArgumentError(`"${raw}" is not a ticket number (e.g. 1024)`);
    const app = await services();
    const ticket = await app.tickets.get(id);
    if (!ticket) {
      await app.close();
      throw new AppError('ticket_not_found', `没有找到工单 #${id}`);
    }
    const viewer = { workerId: options.as, roster: app.roster.roster };
    const visible = ticketFor(ticket, viewer);
    const privileged = visible === ticket;
    const events = (await app.tickets.events(id)).map((event) => (privileged ? event : { ...event, detail: maskDeep(event.detail) as Record<string, unknown> }));
    const notifications = (await app.tickets.notifications({ ticketId: id })).map((notification) =>
      privileged ? notification : { ...notification, text: mask(notification.text) },
    );
    await app.close();
    if (options.json) return print({ ...visible, events, notifications });
    const lines = [
      `工单 #${visible.id} · ${STATUS_LABELS[visible.status]} · ${app.categories.label(visible.category)} · ${visible.community}`,
      `提出人：${visible.requester.userName}（${visible.requester.channel}）  负责人：${visible.assignee ?? '—'}`,
      `内容：${visible.description}`,
      ...(visible.contact ? [`联系方式：${visible.contact}`] : []),
      ...(visible.assignmentReason ? [`分派原因：${visible.assignmentReason}`] : []),
      '',
      '经过：',
      ...events.map((event) => `  ${event.at}  ${event.actor}  ${event.type}  ${JSON.stringify(event.detail)}`),
      '',
      '通知：',
      ...notifications.map((notification) => `  ${notification.at}  ${notification.recipient}  [${notification.status}]  ${notification.text.replace(/\n/g, ' / ')}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });

program
  .command('users')
  .description('sign-in accounts of community workers')
  .command('set-password')
  .description('set a worker\'s console password (read from the terminal, or from standard input)')
  .argument('<id>', 'worker id from the roster, e.g. w-yyg-01')
  .action(async (id: string) => {
    const app = await services();
    try {
      const worker = app.roster.roster.findWorker(id);
      if (!worker) throw new AppError('unknown_worker', `roster has no worker "${id}" (check ROSTER_FILE)`);
      const password = await readPassword(`${worker.name} 的新密码：`);
      await new Accounts(app.sql, app.clock).setPassword(worker.id, password);
      process.stdout.write(`已为 ${worker.name}（${worker.id}）设置密码。\n`);
    } catch (error) {
      if (error instanceof Error && !(error instanceof AppError)) throw new AppError('invalid_password', error.message);
      throw error;
    } finally {
      await app.close();
    }
  });

/** A password typed at the terminal (not echoed), or the first line of piped input. */
async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    return input.split(/\r?\n/)[0] ?? '';
  }
  const terminal = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const output = terminal as unknown as { _writeToOutput: (text: string) => void };
  process.stdout.write(prompt);
  output._writeToOutput = () => {};
  const password = await terminal.question('');
  terminal.close();
  process.stdout.write('\n');
  return password;
}

function parseMode(value: string): SearchMode {
  if (value === 'hybrid' || value === 'lexical' || value === 'vector') return value;
  throw new InvalidArgumentError(`--mode must be hybrid, lexical or vector (it is "${value}")`);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = error instanceof AppError || error instanceof InvalidArgumentError ? error.message : (error as Error).stack ?? String(error);
  process.stderr.write(`rongzhi: ${message}\n`);
  process.exitCode = 1;
}
