package io.gripway.crossorigin;

/**
 * A route's JSON-P settings (Pushpin's {@code jsonp_*} route properties).
 *
 * @param mode how responses are wrapped
 * @param callbackParam the query parameter naming the callback ({@code jsonp_cb}); empty means {@code callback}
 * @param bodyParam a query parameter whose value becomes a JSON request body ({@code jsonp_body}); empty means the
 * body comes from {@code _body}
 * @param defaultCallback the callback when the request names none but carries {@code bodyParam}
 * ({@code jsonp_defcb}); empty means a callback parameter is required
 * @param defaultMethod the method when the request names none with {@code _method} ({@code jsonp_defmethod}); empty
 * means the mode's ({@code GET} for extended, {@code POST} for basic)
 */
public record JsonpSettings(JsonpMode mode, String callbackParam, String bodyParam, String defaultCallback,
		String defaultMethod) {

	public static final JsonpSettings DEFAULTS = new JsonpSettings(JsonpMode.EXTENDED, "", "", "", "");

	public JsonpSettings {
		if (callbackParam.isEmpty()) {
			callbackParam = "callback";
		}
		if (defaultMethod.isEmpty()) {
			defaultMethod = mode.defaultMethod();
		}
	}

}
