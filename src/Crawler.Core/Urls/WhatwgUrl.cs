// Hand-written on purpose: System.Uri follows RFC 3986 with its own quirks (it keeps "\" in paths, accepts
// hosts browsers reject, escapes differently and does not implement the legacy IPv4 number forms), while a
// crawler must resolve every link exactly as a browser would. No library on NuGet implements the WHATWG URL
// Standard for .NET, so this file is a direct transcription of its basic URL parser
// (https://url.spec.whatwg.org/#concept-basic-url-parser) without the state-override paths used by setters.
using System.Globalization;
using System.Text;

namespace Crawler.Core.Urls;

/// <summary>
/// A URL parsed and serialized as the WHATWG URL Standard specifies. Immutable; the property names and
/// values follow the JavaScript <c>URL</c> API.
/// </summary>
public sealed class WhatwgUrl
{
    private readonly string _scheme;
    private readonly string? _host;
    private readonly int _port;
    private readonly string _path;
    private readonly int _pathCount;
    private readonly string? _query;
    private readonly string? _fragment;
    private readonly int _fragmentStart;

    private WhatwgUrl(
        string scheme,
        string username,
        string password,
        string? host,
        int port,
        string path,
        int pathCount,
        string? query,
        string? fragment,
        StringBuilder scratch)
    {
        _scheme = scheme;
        Username = username;
        Password = password;
        _host = host;
        _port = port;
        _path = path;
        _pathCount = pathCount;
        _query = query;
        _fragment = fragment;
        Href = Serialize(scratch, out _fragmentStart);
    }

    /// <summary>The full serialization, e.g. "https://example.kp/a?b#c".</summary>
    public string Href { get; }

    /// <summary>The scheme followed by ":", e.g. "http:".</summary>
    public string Protocol => _scheme + ":";

    /// <summary>The percent-encoded username, or "".</summary>
    public string Username { get; }

    /// <summary>The percent-encoded password, or "".</summary>
    public string Password { get; }

    /// <summary>The hostname plus ":port" when the port is not the scheme's default; "" when there is no host.</summary>
    public string Host => _host is null ? string.Empty : _port < 0 ? _host : _host + ":" + Port;

    /// <summary>The serialized host (IPv6 in brackets, domains in lowercase ASCII), or "".</summary>
    public string Hostname => _host ?? string.Empty;

    /// <summary>The port as decimal digits, or "" when absent or equal to the scheme's default.</summary>
    public string Port => _port < 0 ? string.Empty : _port.ToString(CultureInfo.InvariantCulture);

    /// <summary>The serialized path.</summary>
    public string Pathname => _path;

    /// <summary>"?" plus the query, or "" when the query is null or empty.</summary>
    public string Search => string.IsNullOrEmpty(_query) ? string.Empty : "?" + _query;

    /// <summary>"#" plus the fragment, or "" when the fragment is null or empty.</summary>
    public string Hash => string.IsNullOrEmpty(_fragment) ? string.Empty : "#" + _fragment;

    /// <summary>The ASCII serialization of the URL's origin ("null" for opaque origins).</summary>
    public string Origin
    {
        get
        {
            switch (_scheme)
            {
                case "http" or "https" or "ws" or "wss" or "ftp":
                    return _scheme + "://" + Host;
                case "blob":
                    WhatwgUrl? inner = HasOpaquePath ? Parse(_path, null) : null;
                    return inner is not null && inner._scheme is "http" or "https" ? inner.Origin : "null";
                default:
                    return "null";
            }
        }
    }

    /// <summary>The scheme without the trailing ":", lowercase.</summary>
    internal string Scheme => _scheme;

    /// <summary>True for the special schemes (http, https, ws, wss, ftp, file).</summary>
    internal bool IsSpecial => IsSpecialScheme(_scheme);

    /// <summary>The serialization without the fragment (the URL serializer with exclude fragment set).</summary>
    internal string HrefWithoutFragment => _fragmentStart < 0 ? Href : Href[.._fragmentStart];

    [ThreadStatic]
    private static Parser? t_parser;

    private bool HasOpaquePath => _pathCount < 0;

    /// <summary>Parses <paramref name="input"/> against <paramref name="baseUrl"/> (which may be null).</summary>
    /// <returns>True on success; false when the URL Standard says the parse fails.</returns>
    public static bool TryParse(string input, WhatwgUrl? baseUrl, out WhatwgUrl? result)
    {
        ArgumentNullException.ThrowIfNull(input);
        // Parsers are reused per thread: their builders make up most of the allocation of a parse.
        Parser parser = t_parser ?? new Parser();
        t_parser = null;
        try
        {
            result = parser.Run(input, baseUrl);
        }
        finally
        {
            if (parser.Reset())
            {
                t_parser = parser;
            }
        }

        return result is not null;
    }

    /// <summary>
    /// Parses <paramref name="input"/> against the URL <paramref name="baseUrl"/> (parsed first, as the URL
    /// constructor does). Returns null if the base or the input fails to parse.
    /// </summary>
    public static WhatwgUrl? Parse(string input, string? baseUrl)
    {
        ArgumentNullException.ThrowIfNull(input);
        WhatwgUrl? parsedBase = null;
        if (baseUrl is not null && !TryParse(baseUrl, null, out parsedBase))
        {
            return null;
        }

        TryParse(input, parsedBase, out WhatwgUrl? result);
        return result;
    }

    /// <inheritdoc />
    public override string ToString() => Href;

    internal static bool IsSpecialScheme(string scheme) =>
        scheme is "http" or "https" or "ws" or "wss" or "ftp" or "file";

    internal static int DefaultPort(string scheme) => scheme switch
    {
        "http" or "ws" => 80,
        "https" or "wss" => 443,
        "ftp" => 21,
        _ => -1,
    };

    private string Serialize(StringBuilder sb, out int fragmentStart)
    {
        sb.Clear();
        sb.Append(_scheme).Append(':');
        if (_host is not null)
        {
            sb.Append("//");
            if (Username.Length > 0 || Password.Length > 0)
            {
                sb.Append(Username);
                if (Password.Length > 0)
                {
                    sb.Append(':').Append(Password);
                }

                sb.Append('@');
            }

            sb.Append(_host);
            if (_port >= 0)
            {
                sb.Append(':').Append(_port);
            }
        }

        if (_host is null && _pathCount > 1 && _path.StartsWith("//", StringComparison.Ordinal))
        {
            sb.Append("/.");
        }

        sb.Append(_path);

        if (_query is not null)
        {
            sb.Append('?').Append(_query);
        }

        fragmentStart = -1;
        if (_fragment is not null)
        {
            fragmentStart = sb.Length;
            sb.Append('#').Append(_fragment);
        }

        return sb.ToString();
    }

    /// <summary>The first segment of a non-opaque path ("" when the path is empty).</summary>
    private static ReadOnlySpan<char> FirstSegment(string path)
    {
        if (path.Length == 0)
        {
            return default;
        }

        int next = path.IndexOf('/', 1);
        return next < 0 ? path.AsSpan(1) : path.AsSpan(1, next - 1);
    }

    private enum State
    {
        SchemeStart,
        Scheme,
        NoScheme,
        SpecialRelativeOrAuthority,
        PathOrAuthority,
        Relative,
        RelativeSlash,
        SpecialAuthoritySlashes,
        SpecialAuthorityIgnoreSlashes,
        Authority,
        Host,
        Port,
        File,
        FileSlash,
        FileHost,
        PathStart,
        Path,
        OpaquePath,
        Query,
        Fragment,
    }

    /// <summary>One run of the basic URL parser. Pointer arithmetic mirrors the spec text step for step.</summary>
    private sealed class Parser
    {
        private const int Eof = -1;

        private const int MaxRetainedCapacity = 4096;

        private readonly StringBuilder _buffer = new(64);
        private readonly StringBuilder _username = new(16);
        private readonly StringBuilder _password = new(16);

        // The path as its serialization: "/seg1/seg2" (segments never contain '/'), or the opaque path.
        private readonly StringBuilder _path = new(128);
        private readonly StringBuilder _fragment = new(32);
        private readonly StringBuilder _scratch = new(256);

        private string _input = string.Empty;
        private WhatwgUrl? _base;
        private string _scheme = string.Empty;
        private bool _special;
        private string? _host;
        private int _port = -1;
        private int _pathCount;
        private bool _opaque;
        private string? _query;
        private bool _hasFragment;

        /// <summary>Clears all state; returns false when the builders grew too large to keep around.</summary>
        public bool Reset()
        {
            _input = string.Empty;
            _base = null;
            _scheme = string.Empty;
            _special = false;
            _host = null;
            _port = -1;
            _pathCount = 0;
            _opaque = false;
            _query = null;
            _hasFragment = false;
            bool keep = true;
            foreach (StringBuilder sb in (ReadOnlySpan<StringBuilder>)[_buffer, _username, _password, _path, _fragment, _scratch])
            {
                sb.Clear();
                keep &= sb.Capacity <= MaxRetainedCapacity;
            }

            return keep;
        }

        private void StartFragment()
        {
            _fragment.Clear();
            _hasFragment = true;
        }

        /// <summary>Strips leading/trailing C0 controls and spaces, then removes all ASCII tabs and newlines.</summary>
        private static string Preprocess(string input)
        {
            int start = 0;
            int end = input.Length;
            while (start < end && input[start] <= 0x20)
            {
                start++;
            }

            while (end > start && input[end - 1] <= 0x20)
            {
                end--;
            }

            ReadOnlySpan<char> span = input.AsSpan(start, end - start);
            if (span.IndexOfAny('\t', '\n', '\r') < 0)
            {
                return start == 0 && end == input.Length ? input : span.ToString();
            }

            var sb = new StringBuilder(span.Length);
            foreach (char c in span)
            {
                if (c is not ('\t' or '\n' or '\r'))
                {
                    sb.Append(c);
                }
            }

            return sb.ToString();
        }

        public WhatwgUrl? Run(string rawInput, WhatwgUrl? baseUrl)
        {
            _input = Preprocess(rawInput);
            _base = baseUrl;
            string input = _input;
            int len = input.Length;
            var state = State.SchemeStart;
            bool atSignSeen = false;
            bool insideBrackets = false;
            bool passwordTokenSeen = false;
            StringBuilder buffer = _buffer;

            int pointer = 0;
            while (true)
            {
                int c = pointer < len ? input[pointer] : Eof;
                switch (state)
                {
                    case State.SchemeStart:
                        if (c != Eof && char.IsAsciiLetter((char)c))
                        {
                            buffer.Append(char.ToLowerInvariant((char)c));
                            state = State.Scheme;
                        }
                        else
                        {
                            state = State.NoScheme;
                            pointer--;
                        }

                        break;

                    case State.Scheme:
                        if (c != Eof && (char.IsAsciiLetterOrDigit((char)c) || c is '+' or '-' or '.'))
                        {
                            buffer.Append(char.ToLowerInvariant((char)c));
                        }
                        else if (c == ':')
                        {
                            _scheme = InternScheme(buffer);
                            _special = IsSpecialScheme(_scheme);
                            buffer.Clear();
                            if (_scheme == "file")
                            {
                                state = State.File;
                            }
                            else if (_special && baseUrl is not null && baseUrl._scheme == _scheme)
                            {
                                state = State.SpecialRelativeOrAuthority;
                            }
                            else if (_special)
                            {
                                state = State.SpecialAuthoritySlashes;
                            }
                            else if (RemainingStartsWith(pointer, '/'))
                            {
                                state = State.PathOrAuthority;
                                pointer++;
                            }
                            else
                            {
                                _opaque = true;
                                state = State.OpaquePath;
                            }
                        }
                        else
                        {
                            buffer.Clear();
                            state = State.NoScheme;
                            pointer = -1;
                        }

                        break;

                    case State.NoScheme:
                        if (baseUrl is null || (baseUrl.HasOpaquePath && c != '#'))
                        {
                            return null;
                        }
                        else if (baseUrl.HasOpaquePath && c == '#')
                        {
                            SetScheme(baseUrl._scheme);
                            _opaque = true;
                            _path.Append(baseUrl._path);
                            _query = baseUrl._query;
                            StartFragment();
                            state = State.Fragment;
                        }
                        else if (baseUrl._scheme != "file")
                        {
                            state = State.Relative;
                            pointer--;
                        }
                        else
                        {
                            state = State.File;
                            pointer--;
                        }

                        break;

                    case State.SpecialRelativeOrAuthority:
                        if (c == '/' && RemainingStartsWith(pointer, '/'))
                        {
                            state = State.SpecialAuthorityIgnoreSlashes;
                            pointer++;
                        }
                        else
                        {
                            state = State.Relative;
                            pointer--;
                        }

                        break;

                    case State.PathOrAuthority:
                        if (c == '/')
                        {
                            state = State.Authority;
                        }
                        else
                        {
                            state = State.Path;
                            pointer--;
                        }

                        break;

                    case State.Relative:
                        SetScheme(baseUrl!._scheme);
                        if (c == '/')
                        {
                            state = State.RelativeSlash;
                        }
                        else if (_special && c == '\\')
                        {
                            state = State.RelativeSlash;
                        }
                        else
                        {
                            CopyAuthorityFrom(baseUrl);
                            CopyPathFrom(baseUrl);
                            _query = baseUrl._query;
                            if (c == '?')
                            {
                                _query = string.Empty;
                                state = State.Query;
                            }
                            else if (c == '#')
                            {
                                StartFragment();
                                state = State.Fragment;
                            }
                            else if (c != Eof)
                            {
                                _query = null;
                                ShortenPath();
                                state = State.Path;
                                pointer--;
                            }
                        }

                        break;

                    case State.RelativeSlash:
                        if (_special && c is '/' or '\\')
                        {
                            state = State.SpecialAuthorityIgnoreSlashes;
                        }
                        else if (c == '/')
                        {
                            state = State.Authority;
                        }
                        else
                        {
                            CopyAuthorityFrom(baseUrl!);
                            state = State.Path;
                            pointer--;
                        }

                        break;

                    case State.SpecialAuthoritySlashes:
                        if (c == '/' && RemainingStartsWith(pointer, '/'))
                        {
                            state = State.SpecialAuthorityIgnoreSlashes;
                            pointer++;
                        }
                        else
                        {
                            state = State.SpecialAuthorityIgnoreSlashes;
                            pointer--;
                        }

                        break;

                    case State.SpecialAuthorityIgnoreSlashes:
                        if (c is not ('/' or '\\'))
                        {
                            state = State.Authority;
                            pointer--;
                        }

                        break;

                    case State.Authority:
                        if (c == '@')
                        {
                            if (atSignSeen)
                            {
                                buffer.Insert(0, "%40");
                            }

                            atSignSeen = true;
                            string credentials = buffer.ToString();
                            for (int i = 0; i < credentials.Length; i++)
                            {
                                if (credentials[i] == ':' && !passwordTokenSeen)
                                {
                                    passwordTokenSeen = true;
                                    continue;
                                }

                                StringBuilder target = passwordTokenSeen ? _password : _username;
                                PercentEncoding.AppendCodePoint(target, credentials, ref i, PercentEncodeSet.Userinfo);
                            }

                            buffer.Clear();
                        }
                        else if (c is Eof or '/' or '?' or '#' || (_special && c == '\\'))
                        {
                            if (atSignSeen && buffer.Length == 0)
                            {
                                return null;
                            }

                            pointer -= buffer.Length + 1;
                            buffer.Clear();
                            state = State.Host;
                        }
                        else
                        {
                            buffer.Append((char)c);
                        }

                        break;

                    case State.Host:
                        if (c == ':' && !insideBrackets)
                        {
                            if (buffer.Length == 0)
                            {
                                return null;
                            }

                            _host = UrlHostParser.Parse(buffer.ToString(), !_special);
                            if (_host is null)
                            {
                                return null;
                            }

                            buffer.Clear();
                            state = State.Port;
                        }
                        else if (c is Eof or '/' or '?' or '#' || (_special && c == '\\'))
                        {
                            pointer--;
                            if (_special && buffer.Length == 0)
                            {
                                return null;
                            }

                            _host = UrlHostParser.Parse(buffer.ToString(), !_special);
                            if (_host is null)
                            {
                                return null;
                            }

                            buffer.Clear();
                            state = State.PathStart;
                        }
                        else
                        {
                            if (c == '[')
                            {
                                insideBrackets = true;
                            }
                            else if (c == ']')
                            {
                                insideBrackets = false;
                            }

                            buffer.Append((char)c);
                        }

                        break;

                    case State.Port:
                        if (c != Eof && char.IsAsciiDigit((char)c))
                        {
                            buffer.Append((char)c);
                        }
                        else if (c is Eof or '/' or '?' or '#' || (_special && c == '\\'))
                        {
                            if (buffer.Length > 0)
                            {
                                int port = 0;
                                for (int i = 0; i < buffer.Length; i++)
                                {
                                    port = (port * 10) + (buffer[i] - '0');
                                    if (port > 65535)
                                    {
                                        return null;
                                    }
                                }

                                _port = port == DefaultPort(_scheme) ? -1 : port;
                                buffer.Clear();
                            }

                            state = State.PathStart;
                            pointer--;
                        }
                        else
                        {
                            return null;
                        }

                        break;

                    case State.File:
                        SetScheme("file");
                        _host = string.Empty;
                        if (c is '/' or '\\')
                        {
                            state = State.FileSlash;
                        }
                        else if (baseUrl is not null && baseUrl._scheme == "file")
                        {
                            _host = baseUrl._host;
                            CopyPathFrom(baseUrl);
                            _query = baseUrl._query;
                            if (c == '?')
                            {
                                _query = string.Empty;
                                state = State.Query;
                            }
                            else if (c == '#')
                            {
                                StartFragment();
                                state = State.Fragment;
                            }
                            else if (c != Eof)
                            {
                                _query = null;
                                if (!StartsWithWindowsDriveLetter(pointer))
                                {
                                    ShortenPath();
                                }
                                else
                                {
                                    _path.Clear();
                                    _pathCount = 0;
                                }

                                state = State.Path;
                                pointer--;
                            }
                        }
                        else
                        {
                            state = State.Path;
                            pointer--;
                        }

                        break;

                    case State.FileSlash:
                        if (c is '/' or '\\')
                        {
                            state = State.FileHost;
                        }
                        else
                        {
                            if (baseUrl is not null && baseUrl._scheme == "file")
                            {
                                _host = baseUrl._host;
                                if (!StartsWithWindowsDriveLetter(pointer)
                                    && IsNormalizedWindowsDriveLetter(FirstSegment(baseUrl._path)))
                                {
                                    _path.Append('/').Append(FirstSegment(baseUrl._path));
                                    _pathCount++;
                                }
                            }

                            state = State.Path;
                            pointer--;
                        }

                        break;

                    case State.FileHost:
                        if (c is Eof or '/' or '\\' or '?' or '#')
                        {
                            pointer--;
                            if (IsWindowsDriveLetter(buffer))
                            {
                                // The Windows drive letter quirk: buffer is kept and becomes the first path segment.
                                state = State.Path;
                            }
                            else if (buffer.Length == 0)
                            {
                                _host = string.Empty;
                                state = State.PathStart;
                            }
                            else
                            {
                                string? host = UrlHostParser.Parse(buffer.ToString(), false);
                                if (host is null)
                                {
                                    return null;
                                }

                                _host = host == "localhost" ? string.Empty : host;
                                buffer.Clear();
                                state = State.PathStart;
                            }
                        }
                        else
                        {
                            buffer.Append((char)c);
                        }

                        break;

                    case State.PathStart:
                        if (_special)
                        {
                            state = State.Path;
                            if (c is not ('/' or '\\'))
                            {
                                pointer--;
                            }
                        }
                        else if (c == '?')
                        {
                            _query = string.Empty;
                            state = State.Query;
                        }
                        else if (c == '#')
                        {
                            StartFragment();
                            state = State.Fragment;
                        }
                        else if (c != Eof)
                        {
                            state = State.Path;
                            if (c != '/')
                            {
                                pointer--;
                            }
                        }

                        break;

                    case State.Path:
                        if (c is Eof or '/' or '?' or '#' || (_special && c == '\\'))
                        {
                            bool slash = c == '/' || (_special && c == '\\');
                            if (IsDoubleDotSegment(buffer))
                            {
                                ShortenPath();
                                if (!slash)
                                {
                                    AddEmptySegment();
                                }
                            }
                            else if (IsSingleDotSegment(buffer))
                            {
                                if (!slash)
                                {
                                    AddEmptySegment();
                                }
                            }
                            else
                            {
                                if (_scheme == "file" && _pathCount == 0 && IsWindowsDriveLetter(buffer))
                                {
                                    buffer[1] = ':';
                                }

                                _path.Append('/').Append(buffer);
                                _pathCount++;
                            }

                            buffer.Clear();
                            if (c == '?')
                            {
                                _query = string.Empty;
                                state = State.Query;
                            }
                            else if (c == '#')
                            {
                                StartFragment();
                                state = State.Fragment;
                            }
                        }
                        else
                        {
                            PercentEncoding.AppendCodePoint(buffer, input, ref pointer, PercentEncodeSet.Path);
                        }

                        break;

                    case State.OpaquePath:
                        if (c == '?')
                        {
                            _query = string.Empty;
                            state = State.Query;
                        }
                        else if (c == '#')
                        {
                            StartFragment();
                            state = State.Fragment;
                        }
                        else if (c == ' ')
                        {
                            if (RemainingStartsWith(pointer, '?') || RemainingStartsWith(pointer, '#'))
                            {
                                _path.Append("%20");
                            }
                            else
                            {
                                _path.Append(' ');
                            }
                        }
                        else if (c != Eof)
                        {
                            PercentEncoding.AppendCodePoint(_path, input, ref pointer, PercentEncodeSet.C0Control);
                        }

                        break;

                    case State.Query:
                        if (c is '#' or Eof)
                        {
                            var set = _special ? PercentEncodeSet.SpecialQuery : PercentEncodeSet.Query;
                            _query = (_query ?? string.Empty) + PercentEncoding.Encode(buffer.ToString(), set);
                            buffer.Clear();
                            if (c == '#')
                            {
                                StartFragment();
                                state = State.Fragment;
                            }
                        }
                        else
                        {
                            buffer.Append((char)c);
                        }

                        break;

                    case State.Fragment:
                        if (c != Eof)
                        {
                            PercentEncoding.AppendCodePoint(_fragment, input, ref pointer, PercentEncodeSet.Fragment);
                        }

                        break;
                }

                if (pointer >= len)
                {
                    break;
                }

                pointer++;
            }

            return new WhatwgUrl(
                _scheme,
                _username.Length == 0 ? string.Empty : _username.ToString(),
                _password.Length == 0 ? string.Empty : _password.ToString(),
                _host,
                _port,
                _path.ToString(),
                _opaque ? -1 : _pathCount,
                _query,
                _hasFragment ? _fragment.ToString() : null,
                _scratch);
        }

        private void SetScheme(string scheme)
        {
            _scheme = scheme;
            _special = IsSpecialScheme(scheme);
        }

        private void CopyAuthorityFrom(WhatwgUrl baseUrl)
        {
            _username.Clear().Append(baseUrl.Username);
            _password.Clear().Append(baseUrl.Password);
            _host = baseUrl._host;
            _port = baseUrl._port;
        }

        private bool RemainingStartsWith(int pointer, char c) =>
            pointer + 1 < _input.Length && _input[pointer + 1] == c;

        private void ShortenPath()
        {
            if (_pathCount == 0)
            {
                return;
            }

            int lastSlash = _path.Length - 1;
            while (_path[lastSlash] != '/')
            {
                lastSlash--;
            }

            if (_scheme == "file" && _pathCount == 1 && _path.Length == 3 && IsNormalizedWindowsDriveLetter(_path[1], _path[2]))
            {
                return;
            }

            _path.Length = lastSlash;
            _pathCount--;
        }

        private void AddEmptySegment()
        {
            _path.Append('/');
            _pathCount++;
        }

        private void CopyPathFrom(WhatwgUrl baseUrl)
        {
            _path.Clear();
            _path.Append(baseUrl._path);
            _pathCount = baseUrl._pathCount;
        }

        /// <summary>"Starts with a Windows drive letter", applied to the input from <paramref name="pointer"/>.</summary>
        private bool StartsWithWindowsDriveLetter(int pointer)
        {
            int remaining = _input.Length - pointer;
            if (remaining < 2 || !char.IsAsciiLetter(_input[pointer]) || _input[pointer + 1] is not (':' or '|'))
            {
                return false;
            }

            return remaining == 2 || _input[pointer + 2] is '/' or '\\' or '?' or '#';
        }

        private static bool IsWindowsDriveLetter(StringBuilder s) =>
            s.Length == 2 && char.IsAsciiLetter(s[0]) && s[1] is ':' or '|';

        private static bool IsNormalizedWindowsDriveLetter(ReadOnlySpan<char> s) =>
            s.Length == 2 && IsNormalizedWindowsDriveLetter(s[0], s[1]);

        private static bool IsNormalizedWindowsDriveLetter(char first, char second) =>
            char.IsAsciiLetter(first) && second == ':';

        private static bool IsSingleDotSegment(StringBuilder s) =>
            (s.Length == 1 && s[0] == '.') || (s.Length == 3 && IsEncodedDot(s, 0));

        private static bool IsDoubleDotSegment(StringBuilder s) => s.Length switch
        {
            2 => s[0] == '.' && s[1] == '.',
            4 => (s[0] == '.' && IsEncodedDot(s, 1)) || (IsEncodedDot(s, 0) && s[3] == '.'),
            6 => IsEncodedDot(s, 0) && IsEncodedDot(s, 3),
            _ => false,
        };

        private static bool IsEncodedDot(StringBuilder s, int i) =>
            s[i] == '%' && s[i + 1] == '2' && (s[i + 2] | 0x20) == 'e';

        private static string InternScheme(StringBuilder buffer)
        {
            if (buffer.Length is < 2 or > 5)
            {
                return buffer.ToString();
            }

            Span<char> chars = stackalloc char[buffer.Length];
            buffer.CopyTo(0, chars, buffer.Length);
            return chars switch
            {
                "http" => "http",
                "https" => "https",
                "ws" => "ws",
                "wss" => "wss",
                "ftp" => "ftp",
                "file" => "file",
                _ => chars.ToString(),
            };
        }
    }
}
