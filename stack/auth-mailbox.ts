// The local stack sends no mail. What Supabase Auth would send (magic links) is kept here,
// in the gateway's memory, as the Supabase CLI's local Mailpit keeps it; the gateway shows
// it at GET /mailbox/messages (?to=<address>), newest last, for a developer and for tests.
import { randomUUID } from "node:crypto";

export interface MailMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  /** The message's link (the magic link), so a reader need not parse the text. */
  link: string;
  sent_at: string;
}

/** Enough for a development session; the oldest go first. */
const KEPT = 500;

export class Mailbox {
  private readonly messages: MailMessage[] = [];

  deliver(message: Omit<MailMessage, "id" | "sent_at">): void {
    this.messages.push({ id: randomUUID(), sent_at: new Date().toISOString(), ...message });
    if (this.messages.length > KEPT) this.messages.shift();
  }

  /** Messages to this address (case-insensitive), or all of them. */
  list(to?: string): MailMessage[] {
    const address = to?.trim().toLowerCase();
    return this.messages.filter((m) => !address || m.to === address);
  }
}
