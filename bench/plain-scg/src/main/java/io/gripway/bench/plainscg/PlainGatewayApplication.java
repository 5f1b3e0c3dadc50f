package io.gripway.bench.plainscg;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Cloud Gateway with nothing but its one configured route (application.yml): what Gripway's passthrough
 * is measured against, so the cost Gripway adds on top of the gateway shows apart from the gateway's own.
 */
@SpringBootApplication
public class PlainGatewayApplication {

	public static void main(String[] args) {
		SpringApplication.run(PlainGatewayApplication.class, args);
	}

}
