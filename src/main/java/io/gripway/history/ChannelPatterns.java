package io.gripway.history;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The channels a setting applies to, as patterns where {@code *} stands for any run of characters (e.g.
 * {@code feed-*}, {@code app1:*}, {@code *}); everything else matches literally.
 */
public final class ChannelPatterns {

	private final List<Pattern> patterns;

	public ChannelPatterns(List<String> patterns) {
		this.patterns = patterns.stream().map(ChannelPatterns::compile).toList();
	}

	private static Pattern compile(String glob) {
		// "feed-*" is ["feed-", ""]: each literal part quoted, a ".*" where each star stood
		return Pattern.compile(Arrays.stream(glob.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*")),
				Pattern.DOTALL);
	}

	public boolean isEmpty() {
		return this.patterns.isEmpty();
	}

	public boolean matches(String channel) {
		for (Pattern pattern : this.patterns) {
			if (pattern.matcher(channel).matches()) {
				return true;
			}
		}
		return false;
	}

}
