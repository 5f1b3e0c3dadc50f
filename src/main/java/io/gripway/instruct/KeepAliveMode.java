package io.gripway.instruct;

/** When keep-alive bytes are written to an idle stream. */
public enum KeepAliveMode {

	/** The timer restarts after every write, so keep-alives only fill silences. */
	IDLE,

	/** Keep-alives are written on a fixed period, whatever else is written. */
	INTERVAL

}
