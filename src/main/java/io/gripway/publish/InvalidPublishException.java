package io.gripway.publish;

/**
 * A publish request breaks a rule. The message is what the publisher reads after {@code 400 }: it names the item and
 * the field, in Pushpin's words where Pushpin has them.
 */
public class InvalidPublishException extends RuntimeException {

	public InvalidPublishException(String message) {
		super(message);
	}

}
