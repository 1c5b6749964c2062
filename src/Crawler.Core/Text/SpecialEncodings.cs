// Hand-written: the Encoding Standard's "replacement" and "x-user-defined" encodings do not exist in .NET.
using System.Text;

namespace Crawler.Core.Text;

/// <summary>WHATWG "replacement": any non-empty input decodes to a single U+FFFD (guards against ISO-2022-KR etc.).</summary>
internal sealed class ReplacementEncoding : Encoding
{
    public override string WebName => "replacement";

    public override int GetByteCount(char[] chars, int index, int count) => Encoding.UTF8.GetByteCount(chars, index, count);

    public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex) =>
        Encoding.UTF8.GetBytes(chars, charIndex, charCount, bytes, byteIndex);

    public override int GetCharCount(byte[] bytes, int index, int count) => count > 0 ? 1 : 0;

    public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex)
    {
        if (byteCount == 0)
        {
            return 0;
        }

        chars[charIndex] = '\uFFFD';
        return 1;
    }

    public override int GetMaxByteCount(int charCount) => Encoding.UTF8.GetMaxByteCount(charCount);

    public override int GetMaxCharCount(int byteCount) => byteCount > 0 ? 1 : 0;
}

/// <summary>WHATWG "x-user-defined": ASCII, and bytes 0x80-0xFF map to U+F780-U+F7FF.</summary>
internal sealed class UserDefinedEncoding : Encoding
{
    public override string WebName => "x-user-defined";

    public override int GetByteCount(char[] chars, int index, int count) => count;

    public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex)
    {
        for (var i = 0; i < charCount; i++)
        {
            var c = chars[charIndex + i];
            bytes[byteIndex + i] = c switch
            {
                < (char)0x80 => (byte)c,
                >= '\uF780' and <= '\uF7FF' => (byte)(c - 0xF780 + 0x80),
                _ => (byte)'?',
            };
        }

        return charCount;
    }

    public override int GetCharCount(byte[] bytes, int index, int count) => count;

    public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex)
    {
        for (var i = 0; i < byteCount; i++)
        {
            var b = bytes[byteIndex + i];
            chars[charIndex + i] = b < 0x80 ? (char)b : (char)(0xF780 + b - 0x80);
        }

        return byteCount;
    }

    public override int GetMaxByteCount(int charCount) => charCount;

    public override int GetMaxCharCount(int byteCount) => byteCount;
}
