package io.gripway.app;

import java.util.Objects;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * One application sharing the tier, as a request to its origin or a held connection needs it: the namespace of its
 * channels and the Grip-Sig its origin trusts.
 *
 * @param name its configured name; empty for everything outside {@code gripway.apps}
 * @param namespace where its channels live on the bus
 * @param signature its current Grip-Sig token, or {@code null} when requests to its origin are not signed
 */
public record App(String name, ChannelNamespace namespace, @Nullable Supplier<String> signature) {

	public App {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(namespace, "namespace");
	}

	/** Everything outside {@code gripway.apps}: bus names as they are, signed with {@code gripway.signing}. */
	public static App standalone(@Nullable Supplier<String> signature) {
		return new App("", ChannelNamespace.NONE, signature);
	}

	@Override
	public String toString() {
		// the signature supplier would say nothing useful, and it holds a key
		return "App[" + this.name + "]";
	}

}
