package io.gripway.instruct;

import java.io.ByteArrayOutputStream;

/**
 * The {@code format=cstring} encoding of {@code Grip-Keep-Alive} data: C-style backslash escapes, so that control
 * bytes such as a newline fit in a header.
 */
final class CString {

	private CString() {
	}

	/**
	 * Unescapes {@code \\}, {@code \r}, {@code \n} and {@code \xHH}, as Pushpin does, plus {@code \t}: Pushpin drops
	 * {@code \t}, but js-grip's encodeCString emits it for every tab, so a js-grip origin asking for a tab keep-alive
	 * would otherwise get nothing. Any other escape is rejected rather than dropped (Pushpin drops it), because the
	 * origin meant some byte and silently sending a different keep-alive hides the mistake.
	 * @throws IllegalArgumentException naming the bad escape
	 */
	static byte[] unescape(byte[] in) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
		for (int i = 0; i < in.length; i++) {
			byte b = in[i];
			if (b != '\\') {
				out.write(b);
				continue;
			}
			if (++i >= in.length) {
				throw new IllegalArgumentException("it ends with a lone backslash");
			}
			switch (in[i]) {
				case '\\' -> out.write('\\');
				case 'r' -> out.write('\r');
				case 'n' -> out.write('\n');
				case 't' -> out.write('\t');
				case 'x' -> {
					int high = (i + 2 < in.length) ? Character.digit(in[i + 1], 16) : -1;
					int low = (i + 2 < in.length) ? Character.digit(in[i + 2], 16) : -1;
					if (high == -1 || low == -1) {
						throw new IllegalArgumentException("\\x must be followed by two hex digits");
					}
					out.write((high << 4) | low);
					i += 2;
				}
				default -> throw new IllegalArgumentException(
						"unsupported escape '\\" + (char) (in[i] & 0xFF) + "' (expected \\\\, \\r, \\n, \\t or \\xHH)");
			}
		}
		return out.toByteArray();
	}

}
