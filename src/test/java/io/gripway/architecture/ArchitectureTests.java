package io.gripway.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package structure the folder tree promises (README "How it works", docs of each package): GRIP's pure models
 * apart from the frameworks, and no package cycles, so each layer can be read, tested and changed on its own.
 */
class ArchitectureTests {

	static final JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("io.gripway");

	@Test
	void noTwoPackagesDependOnEachOther() {
		// every package its own slice: io.gripway.publish (the model) and io.gripway.publish.endpoint are two
		slices().matching("io.gripway.(**)").should().beFreeOfCycles().check(classes);
	}

	@Test
	void gripModelsAndParsersAreFreeOfSpringReactorAndNetty() {
		noClasses().that()
			.resideInAnyPackage("io.gripway.instruct", "io.gripway.publish", "io.gripway.filter", "io.gripway.http")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "reactor..", "io.netty..", "io.lettuce..")
			.check(classes);
	}

	@Test
	void historyAndCrossOriginKnowNoSpringAndNoBus() {
		// history answers with a Reactor Mono (a Redis read is asynchronous); cross-origin borrows Netty's status table
		noClasses().that()
			.resideInAnyPackage("io.gripway.history", "io.gripway.crossorigin")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "io.lettuce..", "io.gripway.bus..", "io.gripway.gateway..")
			.check(classes);
	}

	@Test
	void theHoldLayerKnowsNothingOfTheGatewayOrItsWiring() {
		noClasses().that()
			.resideInAnyPackage("io.gripway.hold", "io.gripway.bus")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.gripway.gateway..", "io.gripway.websocket..", "io.gripway.config..",
					"io.gripway.publish.endpoint..", "org.springframework..")
			.check(classes);
	}

}
