/**
 * The texts that carry a code: the tenant's own templates (policy `messages`), else the built-in
 * text in the user's language. The language is the user's `locale` (BCP 47), else the tenant's
 * `messages.defaultLocale`; a tag without texts of its own falls back to its language (`fr-CA`
 * → `fr`), and a language without built-in texts to English. Placeholders: {code}, {minutes}
 * (how long the code is valid) and {appName} (the policy's appName, else the tenant's name),
 * replaced in one pass, so that a value is never read as a placeholder itself.
 */
import type { MessageSettings } from '@twofold/contract/schemas';

interface Texts {
  sms: string;
  subject: string;
  /** The email's plain-text body; paragraphs are separated by a blank line. */
  text: string;
}

const ignore = {
  en: 'If you did not try to sign in, you can ignore this email.',
  fr: "Si vous n'avez pas essayé de vous connecter, vous pouvez ignorer cet e-mail.",
  de: 'Wenn Sie nicht versucht haben, sich anzumelden, können Sie diese E-Mail ignorieren.',
  es: 'Si no has intentado iniciar sesión, puedes ignorar este correo.',
  it: 'Se non hai provato ad accedere, puoi ignorare questa email.',
  pt: 'Se não tentou iniciar sessão, pode ignorar este email.',
  nl: 'Als je niet hebt geprobeerd in te loggen, kun je deze e-mail negeren.',
};

const sms = {
  en: 'Your {appName} verification code is {code}. It expires in {minutes} minutes. Do not share it with anyone.',
  fr: 'Votre code de vérification {appName} est {code}. Il expire dans {minutes} minutes. Ne le communiquez à personne.',
  de: 'Ihr {appName}-Bestätigungscode lautet {code}. Er läuft in {minutes} Minuten ab. Geben Sie ihn an niemanden weiter.',
  es: 'Tu código de verificación de {appName} es {code}. Caduca en {minutes} minutos. No lo compartas con nadie.',
  it: 'Il tuo codice di verifica {appName} è {code}. Scade tra {minutes} minuti. Non condividerlo con nessuno.',
  pt: 'O seu código de verificação {appName} é {code}. Expira em {minutes} minutos. Não o partilhe com ninguém.',
  nl: 'Je {appName}-verificatiecode is {code}. Deze verloopt over {minutes} minuten. Deel hem met niemand.',
};

const subjects = {
  en: '{appName} verification code',
  fr: 'Code de vérification {appName}',
  de: 'Ihr {appName}-Bestätigungscode',
  es: 'Código de verificación de {appName}',
  it: 'Codice di verifica {appName}',
  pt: 'Código de verificação {appName}',
  nl: 'Je {appName}-verificatiecode',
};

export type BuiltInLocale = keyof typeof sms;

/** The built-in texts, by language. */
export const builtInTexts: Record<BuiltInLocale, Texts> = Object.fromEntries(
  (Object.keys(sms) as BuiltInLocale[]).map((l) => [l, { sms: sms[l], subject: subjects[l], text: `${sms[l]}\n\n${ignore[l]}` }]),
) as Record<BuiltInLocale, Texts>;

export const builtInLocales = Object.keys(builtInTexts) as BuiltInLocale[];

/** The first of the candidate tags (most wanted first) that has texts, by tag or by its language; else English. */
export function resolveLocale(...candidates: (string | undefined)[]): BuiltInLocale {
  for (const tag of candidates) {
    if (!tag) continue;
    let canonical: string;
    try {
      canonical = Intl.getCanonicalLocales(tag)[0]!;
    } catch {
      continue;
    }
    const language = new Intl.Locale(canonical).language;
    for (const option of [canonical, language]) if ((builtInLocales as string[]).includes(option)) return option as BuiltInLocale;
  }
  return 'en';
}

export interface CodeMessage {
  locale: BuiltInLocale;
  sms: string;
  subject: string;
  text: string;
  html: string;
  /** The email's From display name, when the tenant set one. */
  fromName?: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(code|minutes|appName)\}/g, (_, name: string) => values[name]!);
}

/** The HTML part, made from the text template: escaped paragraphs, the code set large. */
function htmlOf(template: string, values: Record<string, string>, locale: string): string {
  const paragraphs = template.split(/\n\s*\n/).map((p) =>
    p
      .split(/(\{code\}|\{minutes\}|\{appName\})/)
      .map((part) => (part === '{code}' ? `<strong style="font-size:28px;letter-spacing:4px">${escapeHtml(values.code!)}</strong>` : escapeHtml(fill(part, values))))
      .join('')
      .replace(/\n/g, '<br>'),
  );
  return `<!doctype html><html lang="${escapeHtml(locale)}"><body style="font-family:sans-serif">${paragraphs.map((p) => `<p>${p}</p>`).join('')}</body></html>`;
}

/** The SMS and email that carry `code` for a user of the tenant, in the user's language unless the tenant wrote its own. */
export function composeCodeMessage(input: { tenantName: string; messages?: MessageSettings; locale?: string; code: string; validSeconds: number }): CodeMessage {
  const { messages } = input;
  const locale = resolveLocale(input.locale, messages?.defaultLocale);
  const texts = builtInTexts[locale];
  const values = { code: input.code, minutes: String(Math.round(input.validSeconds / 60)), appName: messages?.appName ?? input.tenantName };
  const textTemplate = messages?.email.text ?? texts.text;
  return {
    locale,
    sms: fill(messages?.sms.template ?? texts.sms, values),
    subject: fill(messages?.email.subject ?? texts.subject, values),
    text: fill(textTemplate, values),
    html: htmlOf(textTemplate, values, locale),
    ...(messages?.email.fromName ? { fromName: messages.email.fromName } : {}),
  };
}

/**
 * The lockout notice (ASVS 5.0 6.3.4: the user is told of a lockout), in the user's language like
 * the codes. It carries no code and no address: {appName} and {minutes} (how long the lock lasts).
 */
const lockoutSubjects: Record<BuiltInLocale, string> = {
  en: '{appName}: sign-in locked after too many wrong codes',
  fr: '{appName} : connexion bloquée après trop de codes erronés',
  de: '{appName}: Anmeldung nach zu vielen falschen Codes gesperrt',
  es: '{appName}: inicio de sesión bloqueado tras demasiados códigos incorrectos',
  it: '{appName}: accesso bloccato dopo troppi codici errati',
  pt: '{appName}: início de sessão bloqueado após demasiados códigos errados',
  nl: '{appName}: inloggen geblokkeerd na te veel verkeerde codes',
};

const lockoutTexts: Record<BuiltInLocale, string> = {
  en: 'Too many wrong codes were entered when signing in to your {appName} account, so signing in is locked for {minutes} minutes.\n\nIf this was not you, someone may know your password: change it, and tell your administrator.',
  fr: 'Trop de codes erronés ont été saisis lors de la connexion à votre compte {appName} : la connexion est bloquée pendant {minutes} minutes.\n\nSi ce n’était pas vous, quelqu’un connaît peut-être votre mot de passe : changez-le et prévenez votre administrateur.',
  de: 'Bei der Anmeldung an Ihrem {appName}-Konto wurden zu viele falsche Codes eingegeben, daher ist die Anmeldung für {minutes} Minuten gesperrt.\n\nWenn Sie das nicht waren, kennt womöglich jemand Ihr Passwort: Ändern Sie es und informieren Sie Ihren Administrator.',
  es: 'Se introdujeron demasiados códigos incorrectos al iniciar sesión en tu cuenta de {appName}, así que el inicio de sesión está bloqueado durante {minutes} minutos.\n\nSi no fuiste tú, alguien podría conocer tu contraseña: cámbiala y avisa a tu administrador.',
  it: 'Sono stati inseriti troppi codici errati durante l’accesso al tuo account {appName}, quindi l’accesso è bloccato per {minutes} minuti.\n\nSe non sei stato tu, qualcuno potrebbe conoscere la tua password: cambiala e avvisa il tuo amministratore.',
  pt: 'Foram introduzidos demasiados códigos errados ao iniciar sessão na sua conta {appName}, por isso o início de sessão está bloqueado durante {minutes} minutos.\n\nSe não foi você, alguém pode saber a sua palavra-passe: altere-a e avise o seu administrador.',
  nl: 'Er zijn te veel verkeerde codes ingevoerd bij het inloggen op je {appName}-account, daarom is inloggen {minutes} minuten geblokkeerd.\n\nWas jij dit niet, dan kent iemand misschien je wachtwoord: wijzig het en laat het je beheerder weten.',
};

export type NoticeMessage = Omit<CodeMessage, 'sms'>;

/** The email that tells a user of a lockout lasting `lockedSeconds`, in the user's language, from the tenant's From name. */
/** A notice (no code) from built-in texts, in the user's language. */
function composeNotice(subjects: Record<BuiltInLocale, string>, texts: Record<BuiltInLocale, string>, input: { tenantName: string; messages?: MessageSettings; locale?: string }, minutes = ''): NoticeMessage {
  const { messages } = input;
  const locale = resolveLocale(input.locale, messages?.defaultLocale);
  const values = { code: '', minutes, appName: messages?.appName ?? input.tenantName };
  return {
    locale,
    subject: fill(subjects[locale], values),
    text: fill(texts[locale], values),
    html: htmlOf(texts[locale], values, locale),
    ...(messages?.email.fromName ? { fromName: messages.email.fromName } : {}),
  };
}

export function composeLockoutMessage(input: { tenantName: string; messages?: MessageSettings; locale?: string; lockedSeconds: number }): NoticeMessage {
  return composeNotice(lockoutSubjects, lockoutTexts, input, String(Math.max(1, Math.round(input.lockedSeconds / 60))));
}

const smsRestrictedSubjects: Record<BuiltInLocale, string> = {
  en: '{appName}: text messages are the least secure second factor',
  fr: '{appName} : les SMS sont le second facteur le moins sûr',
  de: '{appName}: SMS sind der unsicherste zweite Faktor',
  es: '{appName}: los SMS son el segundo factor menos seguro',
  it: '{appName}: gli SMS sono il secondo fattore meno sicuro',
  pt: '{appName}: as SMS são o segundo fator menos seguro',
  nl: '{appName}: sms is de minst veilige tweede factor',
};

const smsRestrictedTexts: Record<BuiltInLocale, string> = {
  en: 'You now receive sign-in codes for your {appName} account by text message.\n\nText messages can be intercepted or redirected to another SIM card, so they are a restricted method. For better protection, add an authenticator app or a passkey in your account settings, and keep text messages as a fallback.',
  fr: 'Vous recevez désormais vos codes de connexion à votre compte {appName} par SMS.\n\nLes SMS peuvent être interceptés ou détournés vers une autre carte SIM : c’est une méthode restreinte. Pour mieux vous protéger, ajoutez une application d’authentification ou une clé d’accès dans les paramètres de votre compte et gardez les SMS en secours.',
  de: 'Sie erhalten Anmeldecodes für Ihr {appName}-Konto jetzt per SMS.\n\nSMS können abgefangen oder auf eine andere SIM-Karte umgeleitet werden und gelten daher als eingeschränkte Methode. Für besseren Schutz fügen Sie in Ihren Kontoeinstellungen eine Authenticator-App oder einen Passkey hinzu und behalten Sie SMS als Ausweichmöglichkeit.',
  es: 'Ahora recibes los códigos de inicio de sesión de tu cuenta de {appName} por SMS.\n\nLos SMS se pueden interceptar o desviar a otra tarjeta SIM, por lo que son un método restringido. Para protegerte mejor, añade una app de autenticación o una llave de acceso en los ajustes de tu cuenta y deja los SMS como alternativa.',
  it: 'Ora ricevi i codici di accesso al tuo account {appName} via SMS.\n\nGli SMS possono essere intercettati o deviati su un’altra SIM, quindi sono un metodo limitato. Per una protezione migliore, aggiungi un’app di autenticazione o una passkey nelle impostazioni dell’account e tieni gli SMS come riserva.',
  pt: 'Passou a receber os códigos de início de sessão da sua conta {appName} por SMS.\n\nAs SMS podem ser intercetadas ou desviadas para outro cartão SIM, por isso são um método restrito. Para uma proteção melhor, adicione uma aplicação de autenticação ou uma chave de acesso nas definições da conta e mantenha as SMS como alternativa.',
  nl: 'Je ontvangt inlogcodes voor je {appName}-account nu per sms.\n\nSms-berichten kunnen worden onderschept of naar een andere simkaart worden omgeleid, daarom is sms een beperkte methode. Voeg voor betere bescherming een authenticator-app of een passkey toe in je accountinstellingen en houd sms als reserve.',
};

/** The notice to a user who has just turned on SMS codes (NIST SP 800-63B-4: SMS is a restricted authenticator; offer an alternative). */
export function composeSmsRestrictedMessage(input: { tenantName: string; messages?: MessageSettings; locale?: string }): NoticeMessage {
  return composeNotice(smsRestrictedSubjects, smsRestrictedTexts, input);
}
