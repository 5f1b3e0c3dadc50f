package io.gripway.app;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.gripway.http.Content;
import io.gripway.instruct.ChannelSubscription;
import io.gripway.instruct.HoldInstruction;
import io.gripway.instruct.HoldMode;
import io.gripway.instruct.Instruct;
import io.gripway.instruct.ResponseTemplate;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ChannelNamespaceTests {

	@Test
	void appChannelsArePrefixedOnTheBusAndNotOffIt() {
		ChannelNamespace a = ChannelNamespace.of("a");
		assertThat(a.toBus("news")).isEqualTo("a:news");
		assertThat(a.fromBus("a:news")).isEqualTo("news");
		// a name that is itself prefixed stays the app's own
		assertThat(a.toBus("b:news")).isEqualTo("a:b:news");
		assertThat(a.fromBus(a.toBus("b:news"))).isEqualTo("b:news");
	}

	@Test
	void noneLeavesNamesAsTheyAre() {
		assertThat(ChannelNamespace.NONE.isNone()).isTrue();
		assertThat(ChannelNamespace.NONE.toBus("a:news")).isEqualTo("a:news");
		assertThat(ChannelNamespace.NONE.fromBus("a:news")).isEqualTo("a:news");
	}

	@Test
	void appNamesCannotHoldTheSeparator() {
		assertThatIllegalArgumentException().isThrownBy(() -> ChannelNamespace.of("a:b")).withMessageContaining("a:b");
		assertThatIllegalArgumentException().isThrownBy(() -> ChannelNamespace.of(""));
		assertThatIllegalArgumentException().isThrownBy(() -> ChannelNamespace.of("a*"));
	}

	@Test
	void lastIdsLeaveTheBusWithoutPrefixInOrder() {
		assertThat(ChannelNamespace.of("a").fromBus(Map.of("a:x", "1"))).containsExactly(Map.entry("x", "1"));
	}

	@Test
	void instructionChannelsArePutOnTheBusAndNothingElseChanges() {
		Instruct instruct = new Instruct(
				new HoldInstruction(HoldMode.STREAM,
						List.of(new ChannelSubscription("news", "3", List.of("build-id")),
								new ChannelSubscription("feed", null, List.of())),
						Duration.ofSeconds(55), null),
				new ResponseTemplate(200, "OK", List.of(), Content.utf8("open\n")), Map.of("id_format", "%(news)s"));
		Instruct onBus = ChannelNamespace.of("app1").toBus(instruct);
		assertThat(onBus.hold().channels()).containsExactly(new ChannelSubscription("app1:news", "3", List.of("build-id")),
				new ChannelSubscription("app1:feed", null, List.of()));
		assertThat(onBus.meta()).isEqualTo(instruct.meta());
		assertThat(onBus.response()).isEqualTo(instruct.response());
		assertThat(ChannelNamespace.NONE.toBus(instruct)).isSameAs(instruct);
	}

}
