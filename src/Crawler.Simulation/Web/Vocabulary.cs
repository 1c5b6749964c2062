using System.Text;

namespace Crawler.Simulation.Web;

/// <summary>The words of the simulated pages (Korean and English), deterministic by seed: also what the search bench indexes.</summary>
public static class Vocabulary
{
    // Common words (all in KS X 1001, so EUC-KR can encode them).
    private static readonly string[] Korean =
    [
        "조선", "평양", "인민", "경제", "건설", "로동", "신문", "소식", "발전", "과학", "기술", "교육", "문화", "농업",
        "공장", "조국", "통일", "세계", "기사", "보도", "위원회", "회의", "대학", "청년", "학생", "도서", "력사", "자료",
        "정보", "봉사", "전람회", "체육", "경기", "예술", "공연", "영화", "음악", "출판", "사진", "소개", "방문", "대표단",
        "친선", "협력", "무역", "관광", "철도", "항공", "전력", "생산", "계획", "성과", "모임", "강연", "축하", "기념",
    ];

    private static readonly string[] English =
    [
        "Pyongyang", "people", "economy", "construction", "news", "science", "technology", "education", "culture",
        "agriculture", "factory", "country", "reunification", "world", "report", "committee", "meeting", "university",
        "youth", "students", "library", "history", "information", "service", "exhibition", "sports", "art", "performance",
        "film", "music", "publishing", "photo", "visit", "delegation", "friendship", "cooperation", "trade", "tourism",
        "railway", "airline", "power", "production", "plan", "achievement", "lecture", "celebration", "anniversary",
    ];

    public static string Words(string lang, int count, int seed, string salt, long a, long b = 0)
    {
        var words = lang == "en" ? English : Korean;
        var sb = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }

            sb.Append(words[Det.Pick(words.Length, seed, salt, a, (b * 1000) + i)]);
        }

        return sb.ToString();
    }

    public static string Sentence(string lang, int seed, string salt, long a, long b)
    {
        var n = 6 + Det.Pick(10, seed, salt + "#len", a, b);
        var s = Words(lang, n, seed, salt, a, b);
        return lang == "en" ? char.ToUpperInvariant(s[0]) + s[1..] + "." : s + "다.";
    }

    /// <summary>Juche date as KCNA writes it, e.g. 주체105(2016)년 9월 19일.</summary>
    public static string JucheDate(DateOnly d, string lang) =>
        lang == "en"
            ? $"Juche{d.Year - 1911}.{d.Month}.{d.Day}."
            : $"주체{d.Year - 1911}({d.Year})년 {d.Month}월 {d.Day}일";
}
