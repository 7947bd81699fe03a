/** Sends a text message to a phone number (E.164). Throws when the message was not accepted. */
export interface SmsSender {
  send(message: { to: string; body: string }): Promise<void>;
}
