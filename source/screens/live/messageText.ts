/** HH:MM:SS in local time. */
export function clockTime(timestamp: number): string {
  return new Date(timestamp).toTimeString().slice(0, 8);
}

export {escapeControlChars} from '../../services/messages/controlChars.js';
