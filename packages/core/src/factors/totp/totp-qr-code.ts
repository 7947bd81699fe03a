/**
 * The QR code an authenticator app scans to enrol: the otpauth URI as a PNG data URL. Its own
 * module because the encoder (qrcode, with pngjs) is CommonJS and weighs ~55 KB: only the
 * enrollment function should carry it.
 */
import QRCode from 'qrcode';

/** Error correction M (15%) with a quiet zone of 2 modules, 240 px: scans from a screen. */
export function qrCodeDataUrl(otpauthUri: string): Promise<string> {
  return QRCode.toDataURL(otpauthUri, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
}
