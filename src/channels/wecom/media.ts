import type { MediaKind } from '../../assistant/types.ts';

/** The WeCom message types the bot cannot read — the app's MsgType, the AI bot's msgtype — as ours. */
export const WECOM_MEDIA_KINDS: Record<string, MediaKind | undefined> = { voice: 'voice', image: 'image', video: 'video', file: 'file' };
