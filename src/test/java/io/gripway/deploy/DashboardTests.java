package io.gripway.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.gripway.metrics.MeterNames;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** The one checked-in Grafana dashboard queries only meters Gripway exports, and shows what operators need. */
class DashboardTests {

	static final Path DASHBOARD = Path.of("helm/gripway/dashboards/gripway.json");

	static final Pattern SERIES = Pattern.compile("\\bgripway_[a-z_]+");

	/** Prometheus's suffixes for Micrometer's counters and timers. */
	static final Pattern SUFFIX = Pattern.compile("(_seconds)?(_bucket|_count|_sum|_max)?$|_total$");

	static JsonNode dashboard() throws Exception {
		return JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
	}

	static Set<String> queriedSeries(JsonNode dashboard) {
		Set<String> series = new TreeSet<>();
		for (JsonNode panel : dashboard.get("panels")) {
			for (JsonNode target : panel.get("targets")) {
				Matcher matcher = SERIES.matcher(target.get("expr").asString());
				while (matcher.find()) {
					series.add(matcher.group());
				}
			}
		}
		return series;
	}

	static String meterName(String series) {
		return SUFFIX.matcher(series).replaceFirst("").replace('_', '.');
	}

	@Test
	void everyQueriedMetricIsAGripwayMeter() throws Exception {
		Set<String> queried = queriedSeries(dashboard());
		assertThat(queried).isNotEmpty();
		Set<String> known = Set.copyOf(MeterNames.ALL);
		for (String series : queried) {
			assertThat(known).as(series + " (meter " + meterName(series) + ")").contains(meterName(series));
		}
	}

	@Test
	void dashboardShowsConnectionsPublishesLatencyDropsAndBus() throws Exception {
		Set<String> meters = queriedSeries(dashboard()).stream()
			.map(DashboardTests::meterName)
			.collect(Collectors.toSet());
		assertThat(meters).contains(MeterNames.HELD_CONNECTIONS, MeterNames.PUBLISH_REQUESTS,
				MeterNames.DELIVERY_LATENCY, MeterNames.MESSAGES_DROPPED, MeterNames.BUS_AVAILABLE,
				MeterNames.HOLDS_ENDED, MeterNames.ORIGIN_REQUESTS);
	}

	@Test
	void everyPanelUsesTheSelectableDatasource() throws Exception {
		JsonNode dashboard = dashboard();
		assertThat(dashboard.get("uid").asString()).isEqualTo("gripway");
		for (JsonNode panel : dashboard.get("panels")) {
			assertThat(panel.at("/datasource/uid").asString()).as(panel.get("title").asString())
				.isEqualTo("${datasource}");
		}
	}

	@Test
	void meterNamesMapBackFromPrometheusSeries() {
		assertThat(meterName("gripway_delivery_latency_seconds_bucket")).isEqualTo(MeterNames.DELIVERY_LATENCY);
		assertThat(meterName("gripway_holds_ended_total")).isEqualTo(MeterNames.HOLDS_ENDED);
		assertThat(meterName("gripway_held_connections")).isEqualTo(MeterNames.HELD_CONNECTIONS);
	}

}
