# tests/api/open311.sh - an Open311 GeoReport v2 client of our own, sourced
# after lib.sh: every request is made twice, in JSON (PATH.json) and in XML
# (PATH.xml), and every check asks both answers the same question, the JSON
# with jq and the XML with xmllint --xpath (Debian's libxml2-utils), so that
# the two formats are held to the same values.
#
#   o311 METHOD PATH QUERY [curl arguments...]   both requests; QUERY may be ""
#   o311_post PATH FIELD=VALUE...                 POST both as a form (encoded here)
#   expect_o311 STATUS DESCRIPTION                both statuses, types, well-formed
#   expect_both JQ XPATH EXPECTED DESCRIPTION     the same value in both
#   expect_o311_error STATUS DESCRIPTION [PART]   the spec's {code, description} in both
#
# The answers are in $T/o311.json and $T/o311.xml, their statuses in
# JSTATUS and XSTATUS; jx JQ and xx XPATH read one value of each.

# o311 METHOD PATH QUERY [curl arguments...]: METHOD PATH.json?QUERY and
# METHOD PATH.xml?QUERY.
o311() {
	local method=$1 path=$2 query=${3:+?$3} f
	shift 3
	for f in json xml; do
		printf -v "${f^^}_STATUS" '%s' "$(curl -s -o "$T/o311.$f" -D "$T/o311.$f.headers" \
			-w '%{http_code}' -X "$method" "$@" "$BASE$path.$f$query")"
	done
	JSTATUS=$JSON_STATUS XSTATUS=$XML_STATUS
}

# form FIELD=VALUE...: the fields as an application/x-www-form-urlencoded body.
form() {
	jq -rn '[$ARGS.positional[] | capture("^(?<k>[^=]*)=(?<v>.*)$"; "s")
		| "\(.k | @uri)=\(.v | @uri)"] | join("&")' --args "$@"
}

# o311_post PATH FIELD=VALUE...: POST the form to PATH.json and PATH.xml.
o311_post() {
	local path=$1
	shift
	o311 POST "$path" "" -H 'Content-Type: application/x-www-form-urlencoded' \
		--data-binary "$(form "$@")"
}

jx() { jq -r "$1" "$T/o311.json" 2>/dev/null; }
xx() { xmllint --xpath "string($1)" "$T/o311.xml" 2>/dev/null; }
# xcount XPATH: how many nodes XPATH selects in the XML answer.
xcount() { xmllint --xpath "count($1)" "$T/o311.xml" 2>/dev/null; }

# o311_header FORMAT NAME: a header of the last answer in FORMAT (json, xml).
o311_header() { grep -i "^$2:" "$T/o311.$1.headers" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }

# The two answers are what their suffix says: JSON that jq reads, and a
# well-formed XML document with its declaration, each with its type.
formats_ok() {
	jq -e . "$T/o311.json" >/dev/null 2>&1 &&
		[[ $(o311_header json Content-Type) == application/json* ]] &&
		head -c 38 "$T/o311.xml" | grep -q '^<?xml version="1.0" encoding="UTF-8"?>' &&
		xmllint --noout "$T/o311.xml" 2>/dev/null &&
		[[ $(o311_header xml Content-Type) == text/xml* ]]
}

# expect_o311 STATUS DESCRIPTION: both answers have STATUS and their format.
expect_o311() {
	if [ "$JSTATUS" = "$1" ] && [ "$XSTATUS" = "$1" ] && formats_ok; then
		pass "$2"
	else
		fail "$2" "status $JSTATUS (JSON), $XSTATUS (XML), expected $1; JSON: $(head -c 300 "$T/o311.json"); XML: $(head -c 300 "$T/o311.xml")"
	fi
}

# expect_both JQ XPATH EXPECTED DESCRIPTION: the JSON's JQ and the XML's
# XPATH are both EXPECTED.
expect_both() {
	local j x
	j=$(jx "$1")
	x=$(xx "$2")
	if [ "$j" = "$3" ] && [ "$x" = "$3" ]; then
		pass "$4"
	else
		fail "$4" "JSON $1 is '$(head -c 200 <<<"$j")', XML $2 is '$(head -c 200 <<<"$x")', expected '$3'"
	fi
}

# expect_o311_error STATUS DESCRIPTION [PART]: both answers are the spec's
# error list, one error of code STATUS whose description contains PART
# (the two may differ where they name their own path), and never the
# API's own {"error": ...} object.
expect_o311_error() {
	local jd xd
	jd=$(jx '.[0].description')
	xd=$(xx '/errors/error[1]/description')
	if [ "$JSTATUS" = "$1" ] && [ "$XSTATUS" = "$1" ] && formats_ok &&
		[ "$(jx 'type + " " + (length | tostring) + " " + (.[0].code | tostring)')" = "array 1 $1" ] &&
		[ "$(xx '/errors/error[1]/code')" = "$1" ] && [ "$(xcount '/errors/error')" = 1 ] &&
		[ -n "$jd" ] && [ -n "$xd" ] && [[ -z "${3:-}" || ($jd == *"$3"* && $xd == *"$3"*) ]]; then
		pass "$2"
	else
		fail "$2" "status $JSTATUS (JSON), $XSTATUS (XML), expected $1${3:+ with '$3'}; JSON: $(head -c 300 "$T/o311.json"); XML: $(head -c 300 "$T/o311.xml")"
	fi
}
