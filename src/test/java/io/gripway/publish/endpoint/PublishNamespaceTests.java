package io.gripway.publish.endpoint;

import java.util.List;
import java.util.Map;

import io.gripway.app.ChannelNamespace;
import io.gripway.http.Content;
import io.gripway.publish.Action;
import io.gripway.publish.HttpStreamFormat;
import io.gripway.publish.PublishItem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What an application's publisher's items become on the bus ({@link PublishHandler#toBus}). */
class PublishNamespaceTests {

	static PublishItem item(String channel, Map<String, String> meta) {
		return new PublishItem(channel, "2", "1", meta, null, new HttpStreamFormat(Action.SEND, Content.utf8("x"), null),
				null, false);
	}

	@Test
	void channelAndRequireSubGoToTheAppsNamespace() {
		List<PublishItem> onBus = PublishHandler.toBus(ChannelNamespace.of("a"),
				List.of(item("news", Map.of("require_sub", "members", "sender", "u1"))));
		assertThat(onBus).singleElement().satisfies((item) -> {
			assertThat(item.channel()).isEqualTo("a:news");
			assertThat(item.meta()).containsEntry("require_sub", "a:members").containsEntry("sender", "u1");
			assertThat(item.id()).isEqualTo("2");
			assertThat(item.prevId()).isEqualTo("1");
		});
	}

	@Test
	void outsideAppsNothingChanges() {
		List<PublishItem> items = List.of(item("a:news", Map.of("require_sub", "a:members")));
		assertThat(PublishHandler.toBus(ChannelNamespace.NONE, items)).isSameAs(items);
	}

}
