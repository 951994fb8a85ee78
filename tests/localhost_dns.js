// Loaded with `node --require` into the realtime server that the tests start: names under .localhost
// resolve to the loopback address (RFC 6761), as browsers resolve them, so that the server can call
// back the web server under a test site's own name (http://<site>.localhost:<port>).
const dns = require("dns");

const lookup = dns.lookup;
dns.lookup = function (hostname, options, callback) {
	if (typeof options === "function") {
		callback = options;
		options = {};
	}
	if (typeof hostname === "string" && (hostname === "localhost" || hostname.endsWith(".localhost"))) {
		const all = typeof options === "object" && options && options.all;
		return process.nextTick(() =>
			all ? callback(null, [{ address: "127.0.0.1", family: 4 }]) : callback(null, "127.0.0.1", 4)
		);
	}
	return lookup.call(dns, hostname, options, callback);
};
