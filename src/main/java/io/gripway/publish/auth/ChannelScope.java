package io.gripway.publish.auth;

import java.util.List;

/**
 * The channels a publisher may publish to: each pattern is a channel name, or a prefix followed by {@code *}
 * ({@code app1:*}); {@code *} alone, or no pattern at all, allows every channel.
 *
 * @param patterns the patterns, in configuration order
 */
public record ChannelScope(List<String> patterns) {

	/** Every channel. */
	public static final ChannelScope ANY = new ChannelScope(List.of());

	public ChannelScope {
		patterns = List.copyOf(patterns);
		for (String pattern : patterns) {
			int star = pattern.indexOf('*');
			if (pattern.isEmpty() || (star >= 0 && star != pattern.length() - 1)) {
				throw new IllegalArgumentException(
						"Channel pattern '" + pattern + "' must be a channel name or a prefix ending in '*'");
			}
		}
	}

	/** Whether every channel is allowed (and so {@code /recover}, which touches every channel). */
	public boolean unrestricted() {
		return this.patterns.isEmpty() || this.patterns.contains("*");
	}

	public boolean permits(String channel) {
		if (unrestricted()) {
			return true;
		}
		for (String pattern : this.patterns) {
			boolean prefix = pattern.endsWith("*");
			if (prefix ? channel.startsWith(pattern.substring(0, pattern.length() - 1)) : channel.equals(pattern)) {
				return true;
			}
		}
		return false;
	}

}
