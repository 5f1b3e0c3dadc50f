package io.gripway;

import io.gripway.server.EventLoops;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Gripway: a GRIP proxy on Spring Cloud Gateway. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GripwayApplication {

	public static void main(String[] args) {
		EventLoops.applyDefault();
		SpringApplication.run(GripwayApplication.class, args);
	}

}
