"""Every default of a newsarchive crawl, in one place.

``scrapy crawl news -s NAME=VALUE`` and ``newsarchive crawl -s NAME=VALUE``
override any of them.
"""

import os

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# -- politeness --------------------------------------------------------
#: Where site owners learn who crawls them: USER_AGENT is "newsarchive/<version> (+<this URL>)",
#: "newsarchive/<version>" without one, unless USER_AGENT itself is set (crawler.user_agent.ContactUserAgent builds it).
NEWSARCHIVE_CONTACT_URL = ""  # none by default: a crawl without one warns as it starts
ADDONS = {"crawler.user_agent.ContactUserAgent": 0}
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
RETRY_TIMES = 2
#: A retry waits (crawler.middlewares.retry): the server's Retry-After, else this many seconds, doubled each retry…
RETRY_BACKOFF_BASE = 1.0
#: …and never longer than this (a longer Retry-After too: the page is tried again on the next crawl).
RETRY_BACKOFF_MAX = 60.0
#: The spider reports a failing site in one line naming the cause; Scrapy's own give-up lines go to DEBUG.
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"
#: Link hops followed from a home page, sitemap or feed (per site: ``depth`` in sites.toml).
#: A listing's next pages are no hops: LISTING_MAX_PAGES bounds them.
DEPTH_LIMIT = 3
#: Pages of one paginated listing walked at most (per site: ``max_listing_pages`` in sites.toml; 0: no limit).
#: On a re-crawl a listing is walked only until a page lists nothing new.
LISTING_MAX_PAGES = 1000
#: robots.txt Crawl-delay is obeyed up to this many seconds (crawler.middlewares.crawl_delay).
NEWSARCHIVE_MAX_CRAWL_DELAY = 60.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry.BackoffRetry": 550,
    "crawler.middlewares.offsite.OffsiteRedirects": 85,  # before robots.txt is asked of the other site
    "crawler.middlewares.site_slot.SiteSlot": 50,
    "crawler.middlewares.conditional.ConditionalGetMiddleware": 80,
    "crawler.middlewares.robots.RobotsOnce": 90,
    "crawler.middlewares.crawl_delay.CrawlDelay": 110,  # after Scrapy's RobotsTxtMiddleware (100)
    "crawler.middlewares.page_budget.PageBudget": 120,
    "crawler.middlewares.fetchlog.FetchLogMiddleware": 950,
}

# -- sites and discovery -----------------------------------------------
#: A sites.toml naming the sites to crawl and their limits (``newsarchive crawl --sites``).
NEWSARCHIVE_SITES = ""
#: Names of the sites of NEWSARCHIVE_SITES to crawl, comma-separated (``--only``); empty: all.
NEWSARCHIVE_SITES_ONLY: list[str] = []
#: Defaults of the per-site limits of sites.toml (0: no limit). Pages count every request to
#: the site but its home pages and robots.txt; age is the sitemap/feed date, else the published date.
NEWSARCHIVE_MAX_PAGES_PER_SITE = 0
NEWSARCHIVE_MAX_AGE_DAYS = 0
#: Regular expressions (comma-separated with -s): a URL is fetched only if it matches an
#: include pattern (when there are any) and no exclude pattern. Start URLs always are.
NEWSARCHIVE_INCLUDE: list[str] = []
NEWSARCHIVE_EXCLUDE: list[str] = []
#: Tried on every site besides robots.txt's Sitemap: lines, unless sites.toml names its sitemaps.
NEWSARCHIVE_SITEMAP_PATHS = ["/sitemap.xml"]
#: Tried when a home page announces no feed (<link rel="alternate">) and sites.toml names none.
NEWSARCHIVE_FEED_PATHS = ["/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml"]
#: A probed feed or sitemap path that found nothing (a 404) is tried again after this many days.
NEWSARCHIVE_PROBE_INTERVAL_DAYS = 7.0
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
DEFAULT_DROPITEM_LOG_LEVEL = "DEBUG"
LOG_LEVEL = "INFO"

# -- the archive -------------------------------------------------------
#: Where the archive lives: an SQLite file path or a SQLAlchemy URL.
NEWSARCHIVE_DB = os.environ.get("NEWSARCHIVE_DB", "archive.db")
#: Articles archived per transaction (1: one per article). A commit and the statements around it cost the
#: crawl's one thread more than most of the article's own writes; each article is still whole or absent
#: (a savepoint of its own), and a killed crawl loses at most this many, fetched again next time.
ARCHIVE_BATCH_SIZE = 20
#: Seconds a batch waits after its first article for the others before it is written anyway: a slow
#: (polite) crawl holds its articles no longer than this.
ARCHIVE_BATCH_DELAY = 0.5

# -- raw responses in WARC --------------------------------------------
#: Record every downloaded response and its request in WARC files.
NEWSARCHIVE_WARC_ENABLED = True
#: The WARC folder; empty: next to the SQLite archive (archive.db -> archive.warc/), ./warc for a server database.
NEWSARCHIVE_WARC_DIR = ""
#: Start a new WARC file once the current one has this many bytes.
NEWSARCHIVE_WARC_MAX_SIZE = 1_000_000_000
#: The start of each WARC file's name (letters, digits, ``.``, ``_``, ``-``); each ``newsarchive worker`` sets
#: ``newsarchive-<its name>``, so the files of many machines never clash when gathered in one place.
NEWSARCHIVE_WARC_PREFIX = "newsarchive"
#: Each record is one gzip member compressed at this zlib level. On the extraction-dev pages 6 (zlib's default)
#: takes 3.3 ms a page and keeps 19.2 % of the bytes, warcio's 9 takes 5.0 ms for 19.1 %, 1 takes 1.2 ms for 22.8 %.
NEWSARCHIVE_WARC_GZIP_LEVEL = 6

# -- extraction and boilerplate ----------------------------------------
#: Pages that do not declare themselves articles are not articles with fewer words of main text than this.
ARTICLE_MIN_WORDS = 80
#: Pages that declare themselves articles (JSON-LD / og:type article, a news-sitemap entry) need only
#: this many words: news briefs of 30-80 words are news.
ARTICLE_DECLARED_MIN_WORDS = 25
#: A line is a site's furniture once it has appeared on this many of its pages…
BOILERPLATE_MIN_PAGES = 3
#: …and on at least this fraction of them.
BOILERPLATE_MIN_RATIO = 0.2
#: Lines longer than this many words are never counted as furniture.
BOILERPLATE_MAX_WORDS = 40
#: The extraction owner re-reads every site's learned furniture from the archive every this many pages it analyses.
BOILERPLATE_REFRESH_PAGES = 10
#: Worker processes that extract pages (0: in the crawl's own thread, which blocks it).
EXTRACT_WORKERS = os.cpu_count() or 1
#: Pages handed to the workers and not back yet; more wait, and hold the crawl back (0: twice the workers).
EXTRACT_MAX_IN_FLIGHT = 0
#: Seconds one page may take in a worker; past it the worker is replaced and the page counted as extract/timeout.
EXTRACT_TIMEOUT = 30.0
#: Pages with more HTML elements than this are not extracted (extract/too_large): a DOM this big is no article page.
EXTRACT_MAX_ELEMENTS = 200_000
#: The function workers run on each page: (html, url, max_elements=...) -> crawler.extract.article.Extracted.
EXTRACT_FUNCTION = "crawler.extract.article.extract_page"
#: Scrapy starts this many tasks for every response, whatever its callback yields; a page yields at
#: most one item, and Scrapy's 100 cost the crawl's one thread several ms per page.
CONCURRENT_ITEMS = 4

# -- dedup -------------------------------------------------------------
DEDUP_NUM_PERM = 128
DEDUP_SEED = 1
DEDUP_SCHEME = "affine32"
#: Shingle hash: "poly64" (vectorised) or "sha1" (datasketch's default hash, slower).
DEDUP_HASHFUNC = "poly64"
DEDUP_SHINGLE_SIZE = 5
DEDUP_LSH_THRESHOLD = 0.3
DEDUP_JACCARD_THRESHOLD = 0.5
#: A copy keeping this share of the smaller text's shingles is one story with it (local context, a cut ending).
DEDUP_CONTAINMENT_THRESHOLD = 0.5
DEDUP_MIN_SHINGLES = 30
#: Anchors, the containment index: one shingle in DEDUP_ANCHOR_RATE, at least DEDUP_ANCHOR_MIN per text.
DEDUP_ANCHOR_RATE = 16
DEDUP_ANCHOR_MIN = 8
#: A containment match needs this many prose paragraphs mostly shared in each text (a roundup shares one).
DEDUP_MIN_SHARED_PARAGRAPHS = 2
#: Below this containment a match also needs the lede kept: one text's first paragraph mostly in the other.
DEDUP_LEDE_CONTAINMENT = 0.8
#: Decide and write each new article holding its index keys (PostgreSQL: advisory locks; SQLite: the write lock),
#: so crawls writing into one archive at once never make two stories of one. Off only to show what it prevents.
DEDUP_LOCK = True

# -- incremental and resumable crawls ---------------------------------
#: Skip archived articles and revalidate listings, feeds and sitemaps (False: fetch everything again).
INCREMENTAL_ENABLED = True
#: Also re-fetch archived articles first fetched less than this many hours ago (0: only when
#: their sitemap lastmod or feed date is newer than our last fetch).
INCREMENTAL_REFETCH_HOURS = 0.0
#: Fetch-log records written per transaction (1: one commit per response). A killed crawl loses at
#: most this many records: those pages are fetched again next time, nothing archived is lost.
FETCH_LOG_BATCH_SIZE = 100
#: The name under which runs of this crawl are recorded (default: the sites' host:port).
NEWSARCHIVE_SITE = ""
#: Seconds between two saves of a running crawl's counts in its run record, when they changed (0: only at the end).
NEWSARCHIVE_RUN_SAVE_INTERVAL = 1.0

SPIDER_MIDDLEWARES = {
    "crawler.middlewares.warc.WarcLocationMiddleware": 100,
    "crawler.middlewares.pagination.NextPageDepth": 850,  # after Scrapy's DepthMiddleware (900)
    "crawler.middlewares.known.KnownArticlesMiddleware": 950,
}

ITEM_PIPELINES = {
    "crawler.pipelines.extract.ExtractPipeline": 100,
    "crawler.pipelines.dedup.DedupPipeline": 200,
    "crawler.pipelines.store.StorePipeline": 300,
}
EXTENSIONS = {
    #: the one owner of the archive, its fetch log and the run: first, the other components ask it
    "crawler.extensions.archive.ArchiveOwner": 0,
    "crawler.extensions.progress.Progress": 500,
    "crawler.extensions.archive_guard.ArchiveGuard": 530,
    "crawler.extensions.runs.RunRecorder": 510,
    "crawler.extensions.jobdir.JobdirGuard": 520,
    "crawler.extensions.warc.WarcRecorder": 100,
    "crawler.extensions.health.ExtractionHealth": 540,
    #: the extraction workers: every page is parsed there once, for its links and its article
    "crawler.extensions.extraction.PageExtraction": 10,
}
#: Record per site and run how extraction went (``newsarchive health``): article yield, median words, metadata.
NEWSARCHIVE_HEALTH_ENABLED = True
#: Seconds between two progress lines (0 turns them off).
NEWSARCHIVE_PROGRESS_INTERVAL = 5.0

FEED_EXPORT_ENCODING = "utf-8"
