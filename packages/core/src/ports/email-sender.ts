/**
 * Sends an email with a plain-text and an HTML body, from the deployment's address (under the
 * tenant's display name, when it gives one). Throws when the message was not accepted.
 */
export interface EmailSender {
  send(message: { to: string; subject: string; text: string; html: string; fromName?: string }): Promise<void>;
}
